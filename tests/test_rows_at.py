"""RowsAt: an index's rows read only when needed, giving what the copied-out rows would."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.vectors import WHOLE_SHARE, Int8Rows, RowsAt, has_vector


def unit_rows(n: int, d: int = 16, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    if n > 3:
        x[3] = 0.0  # a creator without text
    return x


@pytest.mark.parametrize("share", [1.0, WHOLE_SHARE, 0.1])  # whole matrix, at the edge, copied
def test_products_and_rows_are_those_of_the_copied_rows(share: float):
    m = unit_rows(200)
    rows = np.random.default_rng(1).permutation(200)[: int(share * 200)]
    at = RowsAt(m, rows)
    q = unit_rows(1, seed=2)[0]
    assert at.shape == (len(rows), 16) and len(at) == len(rows)
    np.testing.assert_allclose(at @ q, m[rows] @ q, rtol=1e-6, atol=1e-7)
    Q = unit_rows(3, seed=3).T
    np.testing.assert_allclose(at @ Q, m[rows] @ Q, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(np.asarray(at), m[rows])
    np.testing.assert_array_equal(at[5], m[rows[5]])
    np.testing.assert_array_equal(at.nonzero(), np.any(m[rows] != 0, axis=1))
    np.testing.assert_array_equal(has_vector(at), has_vector(m[rows]))


def test_a_subset_is_lazy_and_shares_the_products_of_one_brief():
    m = unit_rows(100)
    rows = np.arange(99, -1, -1)
    at = RowsAt(m, rows)
    q = unit_rows(1, seed=4)[0]
    first = at @ q
    sub = at[np.array([4, 0, 50])]
    assert isinstance(sub, RowsAt) and sub.rows.tolist() == [95, 99, 49]
    assert at._products is sub._products and len(at._products) == 1  # noqa: SLF001
    np.testing.assert_array_equal(sub @ q, first[[4, 0, 50]])
    assert len(at._products) == 1  # noqa: SLF001 - the whole product was made once
    mask = np.zeros(100, dtype=bool)
    mask[[1, 2]] = True
    np.testing.assert_array_equal(np.asarray(at[mask]), m[[98, 97]])


def test_a_new_vector_with_a_reused_id_is_not_answered_from_the_old_product():
    m = unit_rows(50)
    at = RowsAt(m, np.arange(50))
    a = unit_rows(1, seed=5)[0]
    at @ a
    b = unit_rows(1, seed=6)[0]
    at._products[id(b)] = (a, at._products[id(a)][1])  # noqa: SLF001 - as if b took a's id
    np.testing.assert_allclose(at @ b, m @ b, rtol=1e-6)


def test_int8_rows_read_through_rows_at_as_through_their_own_indexing():
    m = Int8Rows.of(unit_rows(80))
    q = unit_rows(1, seed=7)[0]
    for rows in (np.arange(80)[::-1], np.array([7, 3, 60])):
        at = RowsAt(m, rows)
        np.testing.assert_allclose(at @ q, m[rows] @ q, rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(at.nonzero(), np.any(m[rows] != 0, axis=1))


def test_no_rows():
    at = RowsAt(unit_rows(10), np.zeros(0, dtype=np.int64))
    assert (at @ unit_rows(1)[0]).shape == (0,)
    assert at.nonzero().shape == (0,) and np.asarray(at).shape == (0, 16)


class CountingRows(np.ndarray):
    """A matrix that counts the rows read from it by index arrays."""

    read = 0

    def __getitem__(self, key):  # type: ignore[no-untyped-def,override]
        if isinstance(key, np.ndarray):
            CountingRows.read += int(key.sum()) if key.dtype == bool else len(key)
        return np.asarray(super().__getitem__(key))


def test_a_subset_of_rows_copied_out_reads_them_from_the_copy():
    m = unit_rows(400).view(CountingRows)
    at = RowsAt(m, np.arange(0, 400, 5))  # 80 rows: below WHOLE_SHARE, copied out
    q = unit_rows(1, seed=8)[0]
    CountingRows.read = 0
    first = at @ q
    assert CountingRows.read == 80
    idx = np.array([5, 1, 79, 5])
    sub = at[idx]
    mask = np.arange(80) % 3 == 0
    np.testing.assert_array_equal(sub @ q, np.asarray(m)[at.rows[idx]] @ q)
    np.testing.assert_array_equal(np.asarray(at[mask]), np.asarray(m)[at.rows[mask]])
    np.testing.assert_array_equal(np.asarray(at[10:20]), np.asarray(m)[at.rows[10:20]])
    assert CountingRows.read == 80  # no row read again
    np.testing.assert_array_equal((at @ q)[idx], first[idx])


def test_a_whole_matrix_subset_of_a_copy_still_multiplies_the_whole_matrix():
    m = unit_rows(40)
    at = RowsAt(m, np.arange(40))
    np.asarray(at)  # copied out
    sub = at[np.arange(20)]  # half of the matrix: multiplied whole, as without the copy
    q = unit_rows(1, seed=9)[0]
    np.testing.assert_array_equal(sub @ q, RowsAt(m, np.arange(20)) @ q)
    assert sub._copy is None  # noqa: SLF001


def test_int8_rows_taken_by_index_arrays_are_those_indexing_gives():
    m = Int8Rows.of(unit_rows(60))
    want = lambda key: np.asarray(m.codes[key], dtype=np.float32) * m.scale  # noqa: E731
    for key in (np.array([7, 3, 59, 3]), np.array([-1, 0]), np.array([2, 4], dtype=np.uint32),
                np.zeros(0, dtype=np.int64), np.array([True] * 60), slice(3, 9), 5):  # fmt: skip
        got = m[key]
        assert got.dtype == np.float32
        assert got.tobytes() == want(key).tobytes(), key
    with pytest.raises(IndexError):
        m[np.array([60])]
