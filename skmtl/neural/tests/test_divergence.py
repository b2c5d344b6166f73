"""A fit whose training loss becomes NaN/inf is never returned silently."""

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import Callback

from skmtl.datasets import make_multitask_regression
from skmtl.neural import MAMORegressor, MultiTaskMLPRegressor


def _data(n=120):
    X, Y = make_multitask_regression(n, 5, 3, random_state=0)
    return X.astype(np.float32), Y.astype(np.float32)


@pytest.mark.parametrize("early_stopping", [False, "auto"])
def test_nan_weights_raise_naming_the_divergence(early_stopping):
    X, Y = _data()
    # mini-batch L-BFGS at this step size reaches NaN in the first epochs
    model = MultiTaskMLPRegressor(
        trunk_layer_sizes=(8,),
        batch_size=32,
        max_epochs=20,
        optimizer=torch.optim.LBFGS,
        lr=0.1,
        early_stopping=early_stopping,
        random_state=0,
    )
    with pytest.raises(ValueError, match=r"diverged: the training loss became nan"):
        model.fit(X, Y)
    # the loop ended at the divergence (not 20 epochs of NaN)
    assert len(model.net_.history) < 20 or early_stopping is False


def test_divergence_after_a_good_epoch_keeps_the_best_weights():
    X, Y = _data(n=1200)  # 'auto' holds out a validation split here

    class _Blowup(Callback):
        """Writes NaN into the weights at the start of the 4th epoch."""

        def on_epoch_begin(self, net, **kwargs):
            if len(net.history) == 4:
                for p in net.module_.parameters():
                    p.data.fill_(float("nan"))

    model = MultiTaskMLPRegressor(
        trunk_layer_sizes=(8,),
        max_epochs=30,
        random_state=0,
        callbacks=[("blowup", _Blowup())],
    )
    with pytest.warns(ConvergenceWarning, match=r"diverged.*epoch 4.*weights of epoch"):
        model.fit(X, Y)
    assert model.stop_reason_ == "diverged" and not model.converged_
    assert np.isfinite(model.predict(X)).all()
    assert model.best_epoch_ <= 3


def test_diverging_task_gradients_raise():
    X, Y = _data()
    model = MAMORegressor(
        max_epochs=6, lr=1e6, optimizer="sgd", random_state=0, batch_size=32
    )
    # MAMO's probe epochs aggregate the task gradients (MGDA)
    with pytest.raises(ValueError, match="task gradients are not finite.*diverged"):
        model.fit(X * 1e3, Y * 1e3)
