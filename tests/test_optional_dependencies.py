"""skmtl and its non-neural estimators must work without torch."""

import subprocess
import sys
import textwrap


def test_import_without_torch():
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
        for name, cls in all_estimators():
            if not cls.__module__.startswith("skmtl.neural"):
                if is_classifier(cls()):
                    cls().fit(Xc, Yc).predict(Xc)
                else:
                    cls().fit(X, Y).predict(X)
        assert "torch" not in sys.modules
        print("ok")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
