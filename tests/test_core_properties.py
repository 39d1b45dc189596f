"""Property-based tests (Hypothesis): for random depths 1-4, widths 1-7 and every activation/cost pair, in
float64, backprop equals central differences, the three backward forms agree, and the batched gradient is the
mean of the per-sample gradients."""

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from backprop_lib import MLP, gradient_check

# (hidden activation, cost, output activation): every hidden activation with every cost it can be paired with
PAIRS = [
    (h, c, o)
    for h in ("sigmoid", "tanh", "relu", "identity")
    for c, o in (
        ("quadratic", None),
        ("quadratic", "sigmoid"),
        ("cross_entropy", "sigmoid"),
        ("cross_entropy", "softmax"),
        ("log_likelihood", "softmax"),
    )
]


@st.composite
def problems(draw):
    L = draw(st.integers(1, 4))
    sizes = [draw(st.integers(1, 7)) for _ in range(L + 1)]
    hidden, cost, out = draw(st.sampled_from(PAIRS))
    seed = draw(st.integers(0, 2**31 - 1))
    m = draw(st.integers(1, 5))
    net = MLP(sizes, activation=hidden, cost=cost, seed=seed, output_activation=out)
    rng = np.random.default_rng(seed + 1)
    X = rng.standard_normal((sizes[0], m))
    if cost == "quadratic":
        Y = rng.uniform(-1, 1, (sizes[-1], m)) if out is None else rng.uniform(0, 1, (sizes[-1], m))
    else:
        Y = np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], m)]
    if hidden == "relu":
        # central differences are meaningless across relu's kink: keep every z away from 0
        fw = net.forward(X)
        assume(all(np.min(np.abs(fw.z[l])) > 1e-3 for l in range(1, L)))
    return net, X, Y


SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)


@SETTINGS
@given(problems())
def test_backprop_equals_central_differences(problem):
    net, X, Y = problem
    g = net.gradients(X, Y)
    scale = max(np.abs(g.dW[l]).max() for l in range(1, net.L + 1))
    # The relative error is meaningless for vanishing gradients (round-off over nothing): CS231n's caveat.
    assume(scale > 1e-4)
    report = gradient_check(net, X, Y, grads=g)
    assert report.max_error < 1e-7, str(report)


@SETTINGS
@given(problems())
def test_three_backward_forms_agree(problem):
    net, X, Y = problem
    ref = net.gradients(X, Y, method="batched")
    for method in ("per_sample", "omega"):
        g = net.gradients(X, Y, method=method)
        for l in range(1, net.L + 1):
            assert np.allclose(g.dW[l], ref.dW[l], rtol=0, atol=1e-12)
            assert np.allclose(g.db[l], ref.db[l], rtol=0, atol=1e-12)


@SETTINGS
@given(problems())
def test_batched_is_the_mean_of_per_sample_gradients(problem):
    net, X, Y = problem
    m = X.shape[1]
    ref = net.gradients(X, Y)
    singles = [net.gradients(X[:, i : i + 1], Y[:, i : i + 1]) for i in range(m)]
    for l in range(1, net.L + 1):
        assert np.allclose(sum(s.dW[l] for s in singles) / m, ref.dW[l], rtol=0, atol=1e-12)
        assert np.allclose(sum(s.db[l] for s in singles) / m, ref.db[l], rtol=0, atol=1e-12)
