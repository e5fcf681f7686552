"""Pure-numpy evaluator for a gradient-boosted tree ensemble exported from LightGBM.

Training uses LightGBM (benchmarks/train_boilerplate.py); the runtime needs only numpy. `export_booster`
turns `booster.dump_model()` into flat node arrays (saved as a compressed .npz next to the package);
`TreeEnsemble.predict(X)` walks every (row, tree) pair one level at a time, all rows and trees at once:

    go  = X[row, feat[node]] > thr[node]          # one gather + compare for all pairs
    node = child[2 * node + go]

Leaves are self-loops (threshold +inf, both children = the leaf), so a fixed number of levels (the
deepest tree) suffices; trees are sorted by depth so each level only touches the trees still descending.
Thresholds are stored as float32 rounded *down* from LightGBM's float64 thresholds, which makes
`float32(x) <= thr32` exactly equal to LightGBM's `double(x) <= thr64` for float32 inputs.

For speed the runtime uses the QuickScorer formulation when every tree has at most 64 leaves: every
internal node's test is evaluated for all rows at once (one column gather + one compare), a node that
goes right removes its left subtree's leaves from the tree's leaf bit mask (the removed sets are
OR-reduced per tree) and the exit leaf is the lowest surviving bit (exact: the same leaf as the walk above).

Supported: binary objective (sigmoid), numerical splits, missing type None (NaN is treated as 0, as
LightGBM does). Anything else raises at export time, not silently at prediction time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

FORMAT_VERSION = 1
_CHUNK = 512  # rows per evaluation block (temporaries stay in cache)
_QS_CACHE: dict = {}


@dataclass(slots=True)
class TreeEnsemble:
    feat: np.ndarray  # (n_nodes,) int32  split feature (0 for leaves)
    thr: np.ndarray  # (n_nodes,) float32 threshold (+inf for leaves)
    child: np.ndarray  # (2 * n_nodes,) int32 [left, right] per node (self for leaves)
    value: np.ndarray  # (n_nodes,) float64 leaf value (0 for internal nodes)
    roots: np.ndarray  # (n_trees,) int32, sorted by descending tree depth
    active: np.ndarray  # (max_depth,) int32: number of trees (prefix of roots) still descending at level d
    n_features: int
    sigmoid: float
    feature_names: tuple[str, ...]

    @property
    def n_trees(self) -> int:
        return int(self.roots.shape[0])

    @property
    def max_depth(self) -> int:
        return int(self.active.shape[0])

    def _qs(self):
        """QuickScorer tables, built once per model: (features (J*T,), thresholds, masks, leaf values
        (T, W), lowest-set-bit table or None, J, T, mask dtype); None if a tree has more than 64 leaves."""
        cache = _QS_CACHE.get(id(self))
        if cache is not None and cache[0] is self:
            return cache[1]
        feat, thr, child, val = self.feat, self.thr, self.child, self.value
        trees = []
        for r in self.roots.tolist():
            leaves: list[int] = []
            internal: list[tuple[int, list[int]]] = []
            stack = [(r, None)]
            # iterative in-order walk: leaves numbered left to right
            def walk(i):
                if child[2 * i] == i:
                    leaves.append(i)
                    return [len(leaves) - 1]
                left = walk(int(child[2 * i]))
                right = walk(int(child[2 * i + 1]))
                internal.append((i, left))
                return left + right
            del stack
            walk(r)
            trees.append((leaves, internal))
        nleaf = max((len(lv) for lv, _ in trees), default=1)
        if nleaf > 64:
            _QS_CACHE[id(self)] = (self, None)
            return None
        dt = np.uint16 if nleaf <= 16 else (np.uint32 if nleaf <= 32 else np.uint64)
        full = np.iinfo(dt).max
        T = len(trees)
        J = max((len(it) for _, it in trees), default=0) or 1
        fQ = np.zeros((J, T), dtype=np.intp)
        tQ = np.full((J, T), np.inf, dtype=np.float32)  # padding nodes never go right
        mQ = np.zeros((J, T), dtype=dt)  # leaves of the left subtree (removed when the node goes right)
        W = 1 << (nleaf - 1).bit_length()
        leafv = np.zeros((T, W), dtype=np.float64)
        for t, (leaves, internal) in enumerate(trees):
            for q, (i, left) in enumerate(internal):
                fQ[q, t] = feat[i]
                tQ[q, t] = thr[i]
                m = 0
                for lf in left:
                    m |= 1 << lf
                mQ[q, t] = m
            leafv[t, : len(leaves)] = val[leaves]
        ctz = None
        if nleaf <= 16:
            v = np.arange(1 << 16, dtype=np.int64)
            ctz = np.zeros(1 << 16, dtype=np.uint8)
            nz = v > 0
            ctz[nz] = np.log2((v & -v)[nz]).astype(np.uint8)
        res = (fQ.ravel(), tQ.ravel(), mQ.ravel().view(np.dtype(dt).newbyteorder("=")), leafv, ctz, J, T, dt)
        _QS_CACHE[id(self)] = (self, res)
        return res

    def _raw_qs(self, X: np.ndarray, qs, bufs=None) -> np.ndarray:
        """Raw scores of a block of rows, feature-major: the block is transposed so that the node
        features are whole-row gathers, and every step is a contiguous (nodes, rows) operation."""
        fQ, tQ, mQ, leafv, ctz, J, T, dt = qs
        n = X.shape[0]
        if bufs is None or bufs[0].shape[1] < n:
            bufs = _qs_buffers(max(n, 1), J, T, dt)
        xg, right, rem = (b_[:, :n] for b_ in bufs)
        XT = np.ascontiguousarray(X.T)  # (features, n)
        # mode="clip" (the indices are always valid): with out= and the default mode numpy gathers
        # into a temporary and copies, and fancy indexing checks bounds; both cost 2-3x here
        np.take(XT, fQ, axis=0, out=xg, mode="clip")  # (J*T, n) the feature of every node
        np.greater(xg, tQ[:, None], out=right)  # node tests
        np.multiply(right, mQ[:, None], out=rem)  # leaves each node removes when it goes right
        gone = np.bitwise_or.reduce(rem.reshape(J, T, n), axis=0)
        np.invert(gone, out=gone)  # (T, n) surviving leaves: the exit leaf is the lowest
        W = leafv.shape[1]
        if ctz is not None:
            leaf = np.take(ctz, gone, mode="clip") + (np.arange(T, dtype=np.intp) * W)[:, None]
        else:
            low = (gone & (~gone + np.dtype(dt).type(1))).astype(np.float64)
            leaf = np.log2(low).astype(np.intp)
            leaf += (np.arange(T, dtype=np.intp) * W)[:, None]
        return np.take(leafv.ravel(), leaf, mode="clip").sum(axis=0)

    def raw_score(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"expected (n, {self.n_features}) features, got {X.shape}")
        n = X.shape[0]
        if n == 0 or self.n_trees == 0:
            return np.zeros(n, dtype=np.float64)
        if not np.isfinite(X).all():
            X = np.nan_to_num(X, nan=0.0)
        qs = self._qs()
        if qs is None:
            fn = self._raw
        else:
            bufs = _qs_buffers(min(n, _CHUNK), qs[5], qs[6], qs[7])
            fn = lambda Xc: self._raw_qs(Xc, qs, bufs)  # noqa: E731
        if n <= _CHUNK:
            return fn(X)
        out = np.empty(n, dtype=np.float64)
        for a in range(0, n, _CHUNK):  # blocks that keep the working set in cache
            out[a:a + _CHUNK] = fn(X[a:a + _CHUNK])
        return out

    def raw_score_walk(self, X: np.ndarray) -> np.ndarray:
        """Reference evaluator (level-by-level walk), for tests."""
        X = np.nan_to_num(np.asarray(X, dtype=np.float32), nan=0.0)
        return self._raw(X) if X.shape[0] else np.zeros(0)

    def _raw(self, X: np.ndarray) -> np.ndarray:
        n = X.shape[0]
        xf = X.ravel()
        rowoff = (np.arange(n, dtype=np.int32) * np.int32(self.n_features))[None, :]
        node = np.repeat(self.roots[:, None], n, axis=1)  # (n_trees, n)
        feat, thr, child = self.feat, self.thr, self.child
        for k in self.active.tolist():
            cur = node[:k]
            go = xf[feat[cur] + rowoff] > thr[cur]
            cur *= 2
            cur += go
            node[:k] = child[cur]
        return self.value[node].sum(axis=0)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Probability of the positive class (LightGBM `predict` for a binary model)."""
        return 1.0 / (1.0 + np.exp(-self.sigmoid * self.raw_score(X)))

    # -- persistence -------------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        np.savez_compressed(
            path,
            format_version=np.int32(FORMAT_VERSION),
            feat=self.feat, thr=self.thr, child=self.child, value=self.value, roots=self.roots,
            active=self.active, n_features=np.int32(self.n_features), sigmoid=np.float64(self.sigmoid),
            feature_names=np.array(self.feature_names),
        )

    @classmethod
    def load(cls, path) -> "TreeEnsemble":
        """Load from a path or a binary file object. Raises if the file is missing or malformed."""
        with np.load(path, allow_pickle=False) as z:
            if int(z["format_version"]) != FORMAT_VERSION:
                raise ValueError(f"unsupported tree model format {int(z['format_version'])}")
            return cls(
                feat=z["feat"].astype(np.int32), thr=z["thr"].astype(np.float32),
                child=z["child"].astype(np.int32), value=z["value"].astype(np.float64),
                roots=z["roots"].astype(np.int32), active=z["active"].astype(np.int32),
                n_features=int(z["n_features"]), sigmoid=float(z["sigmoid"]),
                feature_names=tuple(str(s) for s in z["feature_names"]),
            )


def _qs_buffers(n: int, J: int, T: int, dt):
    return (np.empty((J * T, n), dtype=np.float32), np.empty((J * T, n), dtype=bool),
            np.empty((J * T, n), dtype=dt))


def _f32_floor(t: float) -> np.float32:
    """Largest float32 <= t (so float32 x <= result  <=>  x <= t)."""
    r = np.float32(t)
    if float(r) > t:
        r = np.nextafter(r, np.float32(-np.inf))
    return np.float32(r)


def export_booster(booster_or_dump) -> TreeEnsemble:
    """Flatten a LightGBM Booster (or its `dump_model()` dict) into a TreeEnsemble."""
    d = booster_or_dump if isinstance(booster_or_dump, dict) else booster_or_dump.dump_model()
    if d.get("num_class", 1) != 1 or d.get("num_tree_per_iteration", 1) != 1:
        raise ValueError("only single-output models are supported")
    obj = str(d.get("objective", ""))
    if not obj.startswith("binary"):
        raise ValueError(f"only the binary objective is supported, got {obj!r}")
    sig = 1.0
    for part in obj.split():
        if part.startswith("sigmoid:"):
            sig = float(part.split(":", 1)[1])
    if d.get("average_output"):
        raise ValueError("average_output (random forest) models are not supported")
    feat: list[int] = []
    thr: list[np.float32] = []
    child: list[list[int]] = []
    value: list[float] = []
    roots: list[tuple[int, int]] = []  # (depth, root)

    def add(nd) -> tuple[int, int]:
        i = len(feat)
        feat.append(0)
        thr.append(np.float32(np.inf))
        child.append([i, i])
        value.append(0.0)
        if "leaf_value" in nd:
            value[i] = float(nd["leaf_value"])
            return i, 0
        if nd.get("decision_type") != "<=":
            raise ValueError(f"unsupported split type {nd.get('decision_type')!r} (categorical?)")
        if nd.get("missing_type", "None") not in ("None",):
            raise ValueError(f"unsupported missing type {nd.get('missing_type')!r}")
        feat[i] = int(nd["split_feature"])
        thr[i] = _f32_floor(float(nd["threshold"]))
        li, ld = add(nd["left_child"])
        ri, rd = add(nd["right_child"])
        child[i] = [li, ri]
        return i, 1 + max(ld, rd)

    for t in d["tree_info"]:
        r, dep = add(t["tree_structure"])
        roots.append((dep, r))
    roots.sort(key=lambda x: -x[0])
    depths = np.array([dp for dp, _ in roots], dtype=np.int32)
    max_depth = int(depths.max()) if len(depths) else 0
    active = np.array([int((depths > lv).sum()) for lv in range(max_depth)], dtype=np.int32)
    return TreeEnsemble(
        feat=np.asarray(feat, dtype=np.int32),
        thr=np.asarray(thr, dtype=np.float32),
        child=np.asarray(child, dtype=np.int32).ravel(),
        value=np.asarray(value, dtype=np.float64),
        roots=np.asarray([r for _, r in roots], dtype=np.int32),
        active=active,
        n_features=int(d["max_feature_idx"]) + 1,
        sigmoid=sig,
        feature_names=tuple(d.get("feature_names") or ()),
    )
