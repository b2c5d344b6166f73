"""skmtl and its non-neural estimators must work without torch.

One interpreter with ``torch`` and ``skorch`` blocked checks everything that
depends on their absence (a subprocess costs about a second and a half).
"""

import subprocess
import sys
import textwrap


def test_everything_but_the_neural_models_works_without_torch():
    code = textwrap.dedent(
        """
        import sys

        class Block:
            # any `import torch` / `import skorch` raises ImportError
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("torch", "skorch"):
                    raise ImportError(f"blocked {name}")

        sys.meta_path.insert(0, Block())
        import numpy as np
        import skmtl, skmtl.linear, skmtl.datasets, skmtl.metrics, skmtl.utils
        from skmtl.utils import all_estimators
        from sklearn.base import is_classifier
        X, Y = skmtl.datasets.make_multitask_regression(30, 4, 2, random_state=0)
        Xc, Yc = skmtl.datasets.make_multitask_classification(
            30, 4, 2, random_state=0
        )
        # the meta-estimators with fewer folds and chains (their default
        # candidates are kept: none of them may need torch)
        cheap = {
            "MultiTaskAutoRegressor": {"cv": 2},
            "RegressorChainEnsemble": {"cv": 2, "n_chains": 2},
            "StackedSingleTarget": {"cv": 2},
        }
        for name, cls in all_estimators():
            if not cls.__module__.startswith("skmtl.neural"):
                est = cls(**cheap.get(name, {}))
                if is_classifier(est):
                    est.fit(Xc, Yc).predict(Xc)
                else:
                    est.fit(X, Y).predict(X)
        assert "torch" not in sys.modules
        print("estimators ok")

        # the neural subpackage names the extra to install
        try:
            import skmtl.neural
        except ImportError as exc:
            print("neural:", exc)

        # the Pareto front: linear members work, neural ones name the extra
        from skmtl.pareto import ParetoFrontRegressor
        ParetoFrontRegressor(preferences=3).fit(X, Y).predict(X)
        try:
            ParetoFrontRegressor(preferences=3, model="mlp").fit(X, Y)
        except ImportError as exc:
            print("pareto:", exc)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "estimators ok"
    neural = [line for line in lines if line.startswith("neural:")]
    assert neural and 'pip install "skmtl[neural]"' in neural[0]
    pareto = [line for line in lines if line.startswith("pareto:")]
    assert pareto and "neural" in pareto[0] and "torch" in pareto[0]
