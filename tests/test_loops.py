"""The numpy versions of the compiled distribution loops (workbench.policy._loops)."""

import subprocess
import sys

import numpy as np
import pytest

from workbench.policy import _compiled, _loops
from workbench.policy.distributions import _CHERNOFF_T, _trim_lags


def _case(seed: int):
    rng = np.random.default_rng(seed)
    n, k, m = 25, 40, 12
    f = rng.random((n, k)) * (rng.random((n, k)) < 0.6)
    f[:, 0] += 1e-3
    f /= f.sum(axis=1, keepdims=True)
    lt = rng.random((n, m)) * (rng.random((n, m)) < 0.7)
    lt[:, -1] += 0.1
    lt[3, :5] = 0.0  # a row that starts late
    lt /= lt.sum(axis=1, keepdims=True)
    lt, lo, hi = _trim_lags(lt)
    return rng, f, lt, lo, hi


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_numpy_loops_equal_the_compiled_ones(seed):
    """Same arguments, same results: within 1e-12 relative (the order of additions
    differs), loss tables bit for bit."""
    rng, f, lt, lo, hi = _case(seed)
    n, k = f.shape
    for r in (0, 2):
        top = np.where(f > 0, np.arange(k)[None, :], 0).max(axis=1).astype(np.int64)
        a, b = np.empty((2, n)), np.empty((2, n))
        args = (f, top, lt, lo, hi, r, np.log([1e-9, 1e-15]), _CHERNOFF_T)
        _compiled.chernoff_lengths(*args, a)
        _loops.chernoff_lengths(*args, b)
        np.testing.assert_allclose(b, a, rtol=1e-12)
        assert np.all(a[1] > a[0])  # a smaller tail reaches further

        phi = np.fft.rfft(f, 128, axis=1)
        pr, pi = np.ascontiguousarray(phi.real), np.ascontiguousarray(phi.imag)
        rows = np.array([3, 0, 7, 24])
        sub_r, sub_i = pr[rows], pi[rows]
        c = [np.empty_like(sub_r) for _ in range(2)]
        d = [np.empty_like(sub_r) for _ in range(2)]
        _compiled.mix_powers(sub_r, sub_i, lt, rows, lo, hi, r, *c)
        _loops.mix_powers(sub_r, sub_i, lt, rows, lo, hi, r, *d)
        np.testing.assert_allclose(d[0], c[0], rtol=0, atol=1e-14)
        np.testing.assert_allclose(d[1], c[1], rtol=0, atol=1e-14)

    t = [np.empty_like(f) for _ in range(3)]
    u = [np.empty_like(f) for _ in range(3)]
    _compiled.loss_tables(f, *t)
    _loops.loss_tables(f, *u)
    assert all(np.array_equal(x, y) for x, y in zip(t, u, strict=True))

    rows = rng.integers(0, n, 9).astype(np.int64)
    s = np.array([-5, 0, 1, 7, 20, 39, 40, 100, 3], dtype=np.int64)
    e, g = np.empty(9), np.empty(9)
    _compiled.undershoot_csl(f, t[0], rows, s, e)
    _loops.undershoot_csl(f, t[0], rows, s, g)
    np.testing.assert_allclose(g, e, rtol=0, atol=1e-14)


@pytest.mark.parametrize("seed", [0, 1])
def test_tail_columns_count_the_running_sums_below_the_threshold(seed):
    """The compiled walk that stops at 1 - tail gives, bit for bit, the count of
    np.cumsum(max(p, 0)) below it: rows that reach it at their first, a middle or no
    column, negative noise, and a NaN."""
    rng, f, _, _, _ = _case(seed)
    full = f - 1e-4 * rng.random(f.shape)  # rounding noise below 0, as after an FFT
    full[0] = 0.0
    full[0, 0] = 1.0  # reached at column 0
    full[1] *= 0.5  # never reached: the row's length
    full[2, 5] = np.nan
    for threshold in (1.0 - 1e-9, 0.5, 1e-3):
        expect = (np.cumsum(np.maximum(full, 0.0), axis=1) < threshold).sum(axis=1)
        a, b = np.empty(f.shape[0], np.int64), np.empty(f.shape[0], np.int64)
        _compiled.tail_columns(full, threshold, a)
        _loops.tail_columns(full, threshold, b)
        assert np.array_equal(a, expect) and np.array_equal(b, expect)
        if threshold > 0.5:
            assert a[0] == 0 and a[1] == f.shape[1] and a[2] <= 5


@pytest.mark.parametrize("seed", [0, 1])
def test_loss2_of_sum_is_the_loss_of_the_convolution(seed):
    """sum_r P(X = r) L2_D(y - r) is the second-order loss of X + D read from the tables
    of the convolved pmf (what (s, Q)'s fill rate used to build): compiled and numpy
    versions, levels below 0, inside and beyond the tables."""
    rng, f, _, _, _ = _case(seed)
    n, k = f.shape
    p = rng.random((n, 7)) * (rng.random((n, 7)) < 0.7)
    p[:, 0] += 1e-3
    p /= p.sum(axis=1, keepdims=True)
    conv = np.array([np.convolve(f[i], p[i]) for i in range(n)])
    t = [np.empty_like(f) for _ in range(3)]
    tc = [np.empty_like(conv) for _ in range(3)]
    _compiled.loss_tables(f, *t)
    _compiled.loss_tables(conv, *tc)
    mean_f, mean_c = f @ np.arange(k), conv @ np.arange(conv.shape[1])
    for level in (-9, -1, 0, 3, 17, k - 1, k + 3, conv.shape[1] + 2):
        y = np.full(n, float(level))
        a, b = np.empty(n), np.empty(n)
        _compiled.loss2_of_sum(p, t[2], mean_f, y, a)
        _loops.loss2_of_sum(p, t[2], mean_f, y, b)
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)
        if level < 0:
            m = -level
            want = tc[2][:, 0] + m * mean_c + 0.5 * m * (m + 1.0)
        elif level >= conv.shape[1] - 1:
            want = np.zeros(n)
        else:
            want = tc[2][:, level]
        np.testing.assert_allclose(a, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("use_step", [False, True])
def test_empirical_counts_compiled_equal_numpy_bit_for_bit(use_step):
    """The empirical pmf's histogram: one compiled pass a row against numpy's bincounts,
    with NaN (outside a window), negative values (returns) and an all-NaN row."""
    rng = np.random.default_rng(3)
    h = rng.gamma(0.5, 20.0, (40, 60))
    h[rng.random(h.shape) < 0.5] = 0.0
    h[rng.random(h.shape) < 0.1] = np.nan
    h[3] = np.nan
    h[5, :3] = -2.0
    step = rng.uniform(0.5, 5.0, 40)
    top_c = _compiled.empirical_top(h, step, use_step)
    top_n = _loops.empirical_top(h, step, use_step)
    assert top_c == top_n
    k = top_c + 1
    out = []
    for mod in (_compiled, _loops):
        a, b = np.zeros((40, k)), np.zeros((40, k) if use_step else (0, 0))
        n_valid = np.zeros(40, dtype=np.int64)
        mod.empirical_counts(h, step, use_step, a, b, n_valid)
        out.append((a, b, n_valid))
    assert all(np.array_equal(x, y) for x, y in zip(*out, strict=True))
    assert out[0][2][3] == 0 and np.array_equal(out[0][2], (~np.isnan(h)).sum(axis=1))


@pytest.mark.parametrize("seed", [0, 1])
def test_ss_renewal_compiled_equals_numpy(seed):
    """The (s, S) renewal recursion: same u near Delta, same sums, same non-negligible
    remainders (as a set of (SKU, step) cells), within 1e-12 relative. Deltas from 1
    (one step) past the step cap, and a lattice pmf (mass on even units only) that never
    settles, so both stopping rules are exercised."""
    rng = np.random.default_rng(seed)
    n, k = 20, 15
    p = rng.random((n, k)) * (rng.random((n, k)) < 0.7)
    p[:, 0] += 0.05
    p[2, 1::2] = 0.0  # lattice: never calm
    p /= p.sum(axis=1, keepdims=True)
    delta = rng.integers(1, 400, n).astype(np.int64)
    delta[:3] = (1, 2, 10_000)
    steps = min(int(delta.max()), 20 * k + 1000)
    a_c, t_c, s_c, p_c, r_c = _compiled.ss_renewal(p, delta, steps, 1e-9)
    a_n, t_n, s_n, p_n, r_n = _loops.ss_renewal(p, delta, steps, 1e-9)
    np.testing.assert_allclose(a_c, a_n, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(t_c, t_n, rtol=1e-12, atol=1e-12)
    order = np.lexsort((s_c, p_c))
    assert np.array_equal(s_c[order], s_n) and np.array_equal(p_c[order], p_n)
    np.testing.assert_allclose(r_c[order], r_n, rtol=1e-12, atol=1e-15)
    assert p_c.max() == steps - 1  # the lattice row ran to the cap
    g_c, g_n = np.full((n, k), np.nan), np.full((n, k), np.nan)
    _compiled.renewal_undershoot(a_n, p, delta, g_c)
    _loops.renewal_undershoot(a_n, p, delta, g_n)
    assert np.array_equal(g_c, g_n)  # same sums in the same order
    assert np.all(g_n[:, -1] == 0.0) and np.all(g_c[5, :-1] > 0)


def test_loop_picks_numpy_for_small_work_and_compiled_above(monkeypatch):
    monkeypatch.delitem(sys.modules, _compiled.__name__)  # numba not paid for yet
    assert _loops.loop("mix_powers", _loops.SMALL_CELLS) is _loops.mix_powers
    assert _loops.loop("mix_powers", _loops.SMALL_CELLS + 1) is _compiled.mix_powers


def test_loop_stays_compiled_once_numba_is_loaded():
    # a plan's many small groups after a big one (or plan_check's simulator) gain from
    # the compiled loops once numba is paid for
    assert _compiled.__name__ in sys.modules
    assert _loops.loop("mix_powers", 10) is _compiled.mix_powers


def test_the_dashboards_first_page_does_not_import_numba():
    # Issue 16: every Voila kernel builds this page; numba (53 MB to import, about 50 MB
    # more for LLVM once a cached function loads) pushed a kernel from ~200 to 320 MB RSS.
    # The sample business's plan is small enough for the numpy loops.
    code = (
        "import sys; from workbench.ui import Dashboard; Dashboard(lazy=True); "
        "print(sorted(m for m in ('numba', 'llvmlite', 'scipy.stats') if m in sys.modules))"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "WORKBENCH_DATA"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_adi_cv2_equal_the_size_pattern():
    """The compiled ADI and CV^2 pass gives demand_pattern's figures (to rounding: the
    sums are sequential, numpy's pairwise), NaN where they are: windows starting late,
    rows with no, one or two positive buckets, returns (negative buckets)."""
    from workbench.policy.demand_class import _size_pattern

    rng = np.random.default_rng(5)
    q = rng.gamma(0.5, 20.0, (30, 400)) * (rng.random((30, 400)) < 0.3)
    q[:, :50] = np.nan
    q[3, 50:] = 0.0  # no positive bucket
    q[4, 50:] = 0.0
    q[4, 70] = 5.0  # one
    q[5, 50:] = 0.0
    q[5, [70, 90]] = [5.0, 7.0]  # two
    q[6, 100] = -3.0  # a return
    q[7] = np.nan  # no window
    with np.errstate(invalid="ignore", divide="ignore"):
        adi_ref, cv2_ref = _size_pattern(q)[3:5]
    for run in (_compiled.adi_cv2, _loops.adi_cv2):
        adi, cv2 = np.empty(30), np.empty(30)
        with np.errstate(invalid="ignore", divide="ignore"):
            run(q, adi, cv2)
        np.testing.assert_array_equal(adi, adi_ref)
        np.testing.assert_allclose(cv2, cv2_ref, rtol=1e-12)
        assert np.isnan(adi[[3, 7]]).all() and np.isnan(cv2[[3, 4, 7]]).all()
        assert np.isfinite(cv2[5]) and np.isfinite(cv2[0])


@pytest.mark.parametrize("seed", [0, 1])
def test_lag_folding_and_sq_undershoot_cells_bit_for_bit(seed):
    """The compiled lag range and fold, and the (s, nQ) undershoot cells, equal their
    numpy versions bit for bit (the same running sums in the same order): rows with
    noise at both ends, a point mass at the first and at the last lag, Q beyond the row."""
    rng, f, _, _, _ = _case(seed)
    n, m = 8, 30
    lt = rng.random((n, m)) * (rng.random((n, m)) < 0.5)
    lt[:, 10] += 0.5
    lt[0] = 0.0
    lt[0, 0] = 1.0
    lt[1] = 0.0
    lt[1, -1] = 1.0
    lt[2] = 1.0
    lt[2, :4] = lt[2, -5:] = 1e-15  # noise folded inwards
    lt /= lt.sum(axis=1, keepdims=True)
    got = []
    for mod in (_compiled, _loops):
        lo, hi = np.empty(n, np.int64), np.empty(n, np.int64)
        below, above = np.empty(n), np.empty(n)
        mod.lag_range(lt, 1e-13, lo, hi, below, above)
        out = np.empty((n, int(hi.max()) + 1))
        mod.fold_lags(lt, lo, hi, below, above, out)
        got.append((lo, hi, below, above, out))
    for a, b in zip(*got, strict=True):
        assert np.array_equal(a, b)
    lo, hi, _, _, out = got[0]
    assert lo[2] == 4 and hi[2] == m - 6 and lo[0] == hi[0] == 0 and lo[1] == hi[1] == m - 1
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-14)

    q = rng.integers(1, 2 * f.shape[1], f.shape[0]).astype(np.int64)
    q[0] = 10 * f.shape[1]
    g1, g2 = np.empty_like(f), np.empty_like(f)
    _compiled.sq_undershoot_cells(f, q, g1)
    _loops.sq_undershoot_cells(f, q, g2)
    assert np.array_equal(g1, g2) and np.all(g1 >= 0)
    # sum_w (F(w + Q) - F(w)) = E[min(D, Q)]
    d = np.arange(f.shape[1])
    np.testing.assert_allclose(g1.sum(axis=1), (f * np.minimum(d[None, :], q[:, None])).sum(axis=1))
