"""Properties every scheduler in the registry must have (hypothesis draws the sizes and rates)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lrplot
from lrplot.engine.registry import SCHEDULERS
from lrplot.errors import LrplotError

SPECS = [cls.spec for cls in SCHEDULERS.values()]
settings.register_profile("lrplot", max_examples=25, deadline=None)
settings.load_profile("lrplot")

rates = st.floats(min_value=1e-6, max_value=10.0, allow_nan=False, allow_infinity=False)


def params_for(spec, steps):
    params = dict(spec.example)
    if spec.name == "OneCycleLR":
        params["total_steps"] = max(steps, 1)
    if "nb" in params:  # YOLO's trainers run epochs x nb iterations, never more
        params["epochs"] = -(-steps // params["nb"])
    return params


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
@given(steps=st.integers(min_value=1, max_value=400), lr=rates)
def test_shape_finite_and_rows(spec, steps, lr):
    result = lrplot.simulate(spec.name, epochs=steps, lr=lr, params=params_for(spec, steps))
    groups = len(spec.family.param_groups) or 1  # a trainer's own groups (YOLO: weight, bn, bias) share one lr
    assert result.lr.shape == (steps, groups) and result.lr.dtype == np.float64
    assert np.array_equal(result.steps, np.arange(steps))
    assert np.isfinite(result.lr).all() and (result.lr >= 0).all()
    if result.momentum is not None:
        assert result.momentum.shape == (steps, groups) and np.isfinite(result.momentum).all()


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
@given(steps=st.integers(min_value=1, max_value=300), lr=rates, other=rates)
def test_groups_are_independent(spec, steps, lr, other):
    """Adding a param group never changes the first group's curve."""
    params = params_for(spec, steps)
    others = max(len(spec.family.param_groups) - 1, 1)  # a trainer's own groups: one lr each
    alone = lrplot.simulate(spec.name, epochs=steps, lr=[lr] * (others + 1) if others > 1 else lr, params=params)
    together = lrplot.simulate(spec.name, epochs=steps, lr=[lr] + [other] * others, params=params)
    assert np.array_equal(alone.lr[:, 0], together.lr[:, 0])


PROPORTIONAL = ["LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
                "PolynomialLR", "SequentialLR", "ChainedScheduler"]


@pytest.mark.parametrize("name", PROPORTIONAL)
@given(steps=st.integers(min_value=1, max_value=300), lr=rates, scale=st.floats(min_value=0.01, max_value=100))
def test_multiplicative_schedules_scale_with_the_lr(name, steps, lr, scale):
    params = SCHEDULERS[name].spec.example
    a = lrplot.simulate(name, epochs=steps, lr=lr, params=params).lr[:, 0]
    b = lrplot.simulate(name, epochs=steps, lr=lr * scale, params=params).lr[:, 0]
    np.testing.assert_allclose(b, a * scale, rtol=1e-12)


@given(metrics=st.lists(st.floats(min_value=-1e3, max_value=1e3, allow_nan=False), min_size=1, max_size=200),
       patience=st.integers(0, 5), cooldown=st.integers(0, 3), mode=st.sampled_from(["min", "max"]),
       factor=st.floats(0, 0.99), threshold_mode=st.sampled_from(["rel", "abs"]))
def test_plateau_never_raises_the_lr(metrics, patience, cooldown, mode, factor, threshold_mode):
    result = lrplot.simulate("ReduceLROnPlateau", lr=[0.1, 0.5], metrics=metrics, patience=patience,
                             cooldown=cooldown, mode=mode, factor=factor, threshold_mode=threshold_mode)
    assert len(result) == len(metrics)
    assert (np.diff(result.lr, axis=0) <= 0).all()
    assert result.metrics.tolist() == metrics


@given(t_max=st.integers(1, 50), extra=st.integers(2, 50))
def test_cosine_climbs_back_after_t_max(t_max, extra):
    lr = lrplot.simulate("cosine", epochs=t_max + extra, T_max=t_max).lr[:, 0]
    assert lr[t_max] == 0.0
    assert lr[t_max + 1] > 0.0


@given(total=st.integers(1, 200), over=st.integers(2, 50))
def test_onecycle_refuses_to_step_past_total_steps(total, over):
    lrplot.simulate("onecycle", epochs=total + 1, max_lr=0.1, total_steps=total)
    with pytest.raises(LrplotError, match="torch raises"):
        lrplot.simulate("onecycle", epochs=total + over, max_lr=0.1, total_steps=total)


@given(milestone=st.integers(1, 50), gamma=st.floats(0.01, 0.99))
def test_duplicate_milestones_count_twice(milestone, gamma):
    lr = lrplot.simulate("multistep", epochs=milestone + 2, milestones=[milestone, milestone], gamma=gamma).lr[:, 0]
    assert lr[milestone] == 0.1 * gamma ** 2
