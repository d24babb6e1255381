#!/usr/bin/env python3
"""Writes a corpus of plain HDF5 files (no netCDF-4 markers) as other tools write them,
for Plume's HDF5 reader tests:  make-hdf5-corpus.py FOLDER

Needs h5py and PyTables (Debian's python3-h5py and python3-tables). Every value written
is deterministic: Tests/PlumeIOTests/HDF5CorpusTests.swift asserts the same numbers."""
import os
import sys

import h5py
import numpy as np
import tables

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def path(name):
    return os.path.join(out, name)


# numeric.h5: every integer and float type, scalar and multi-dimensional, nested groups,
# chunked datasets with gzip and shuffle.
with h5py.File(path("numeric.h5"), "w") as f:
    for t in ["i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8"]:
        f[t] = np.array([0, 1, 2, 3, 4, 5], dtype=t).reshape(2, 3) * (1 if t[0] != "f" else 1.5)
    f["i1_extremes"] = np.array([-128, 127], dtype="i1")
    f["u8_extremes"] = np.array([0, 2**64 - 1], dtype="u8")
    f["i8_extremes"] = np.array([-(2**63), 2**63 - 1], dtype="i8")
    f["u4_extremes"] = np.array([0, 2**32 - 1], dtype="u4")
    f["scalar"] = np.float64(273.15)
    f["empty"] = np.zeros((0, 3), dtype="f4")
    f["big_endian"] = np.array([1.25, -2.5, 1e30], dtype=">f8")
    f["big_endian_int"] = np.array([1, -2, 300000], dtype=">i4")
    g = f.create_group("g1/g2")
    g["deep"] = np.arange(4, dtype="i2")
    f.create_dataset("gzip_shuffle", data=np.arange(1000, dtype="f4").reshape(10, 100) / 4,
                     chunks=(5, 20), compression="gzip", compression_opts=6, shuffle=True)
    f.create_dataset("fletcher", data=np.arange(50, dtype="i4"), chunks=(10,), fletcher32=True)

# strings.h5: fixed-length (ASCII, UTF-8, space padded) and variable-length strings.
with h5py.File(path("strings.h5"), "w") as f:
    f["fixed_ascii"] = np.array([b"alpha", b"be", b"gamma"], dtype="S5")
    utf8_fixed = h5py.string_dtype("utf-8", 12)
    fixed = f.create_dataset("fixed_utf8", (2,), dtype=utf8_fixed)
    fixed.id.write(h5py.h5s.ALL, h5py.h5s.ALL, np.array(["Zürich".encode(), "Ωmega".encode()], dtype="S12"),
                   mtype=fixed.id.get_type())
    f.create_dataset("vlen_ascii", data=["one", "two", "three"], dtype=h5py.string_dtype("ascii"))
    f.create_dataset("vlen_utf8", data=["München", "東京", ""], dtype=h5py.string_dtype("utf-8"))
    f["scalar_vlen"] = "lonely"
    f["numbers"] = np.array([10, 20], dtype="i4")

# attributes.h5: attributes of every type on the root group and on a dataset.
with h5py.File(path("attributes.h5"), "w") as f:
    d = f.create_dataset("data", data=np.array([1.0, 2.0], dtype="f4"))
    for target in (f, d):
        a = target.attrs
        for t in ["i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8"]:
            a["a_" + t] = np.array([1, 2, 3], dtype=t)
        a["a_u8_huge"] = np.array([2**64 - 1], dtype="u8")
        a["a_f2"] = np.array([0.5, -1.5], dtype="f2")
        a["a_f4"] = np.float32(3.25)
        a["a_f8"] = np.array([1e-300, 2.5], dtype="f8")
        a["a_str"] = "plain text"
        a.create("a_str_fixed", np.bytes_(b"fixed"), dtype="S5")
        a["a_str_array"] = ["x", "yy", "zzz"]
        a.create("a_utf8", "Grüße", dtype=h5py.string_dtype("utf-8"))
        ragged = np.empty(1, dtype=object)
        ragged[0] = np.array([1, 2, 3], dtype="i4")
        a.create("a_vlen_int", ragged, dtype=h5py.vlen_dtype("i4"), shape=(1,))
        a["a_compound"] = np.array([(7, 2.5)], dtype=[("n", "i4"), ("x", "f8")])
        a.create("a_enum", np.array([1, 0], dtype="u1"), dtype=h5py.enum_dtype({"LOW": 0, "HIGH": 1}, basetype="u1"))
        a["a_bool"] = np.bool_(True)
        a["a_empty"] = h5py.Empty("f8")
        a["a_empty_str"] = h5py.Empty("S10")

# compound_enum.h5: a compound dataset with numeric and string members, enum datasets,
# a boolean dataset (h5py stores it as an enum), an array-typed and an opaque dataset.
with h5py.File(path("compound_enum.h5"), "w") as f:
    rec = np.dtype([("station", "i4"), ("temperature", "f8"), ("flag", "u1"), ("name", "S6")])
    f["obs"] = np.array([(10, 280.5, 1, b"oslo"), (20, 290.25, 0, b"rome"), (30, 300.0, 1, b"cairo")], dtype=rec)
    nested = np.dtype([("a", "i2"), ("inner", [("b", "f4"), ("c", "f4")])])
    f["nested"] = np.array([(1, (2.0, 3.0))], dtype=nested)
    ed = h5py.enum_dtype({"CLEAR": 0, "CLOUDY": 1, "RAIN": 2}, basetype="i1")
    f.create_dataset("sky", data=np.array([0, 2, 1, 1], dtype="i1"), dtype=ed)
    f["mask"] = np.array([True, False, True])
    # h5py turns a sub-array dtype into extra dimensions: the HDF5 array type needs the low-level API.
    vector = h5py.h5t.array_create(h5py.h5t.NATIVE_FLOAT, (3,))
    vectors = h5py.h5d.create(f.id, b"vectors", vector, h5py.h5s.create_simple((2,)))
    vectors.write(h5py.h5s.ALL, h5py.h5s.ALL, np.array([[1, 2, 3], [4, 5, 6]], dtype="f4"), mtype=vector)
    strings = h5py.h5t.C_S1.copy()
    strings.set_size(4)
    h5py.h5d.create(f.id, b"string_arrays", h5py.h5t.array_create(strings, (2,)), h5py.h5s.create_simple((1,)))
    f["opaque"] = np.void(b"\x01\x02\x03\x04")
    f["bits"] = np.array([1, 2], dtype="i4")
    h5py.h5d.create(f.id, b"bitfield", h5py.h5t.STD_B8LE, h5py.h5s.create_simple((2,)))
    f.create_dataset("ragged", (2,), dtype=h5py.vlen_dtype("f8"))
    f["ragged"][0] = [1.0, 2.0]
    f["ragged"][1] = [3.0]
    f["named_type"] = np.dtype("f4")  # a committed datatype

# references.h5: object and region references (datasets and an attribute).
with h5py.File(path("references.h5"), "w") as f:
    target = f.create_dataset("target", data=np.arange(10, dtype="f8"))
    g = f.create_group("grp")
    refs = f.create_dataset("object_refs", (3,), dtype=h5py.ref_dtype)  # the third stays null
    refs[0] = target.ref
    refs[1] = g.ref
    regions = f.create_dataset("region_refs", (1,), dtype=h5py.regionref_dtype)
    regions[0] = target.regionref[2:5]
    target.attrs["self"] = target.ref
    target.attrs["units"] = "K"

# links.h5: soft links (to a dataset, to a group, dangling, to an ancestor), external
# links (to a real file and dangling), a hard link alias.
with h5py.File(path("links.h5"), "w") as f:
    f["data/values"] = np.array([1.5, 2.5, 3.5])
    f["soft_to_values"] = h5py.SoftLink("/data/values")
    f["soft_to_group"] = h5py.SoftLink("/data")
    f["dangling_soft"] = h5py.SoftLink("/nowhere")
    f["data/up"] = h5py.SoftLink("/")
    f["external"] = h5py.ExternalLink("numeric.h5", "/f8")
    f["dangling_external"] = h5py.ExternalLink("missing.h5", "/x")
    f["alias"] = f["data/values"]

# dimension_scales.h5: h5py dimension scales (not netCDF's markers): DIMENSION_LIST and
# REFERENCE_LIST attributes hold the references between datasets and their scales.
with h5py.File(path("dimension_scales.h5"), "w") as f:
    f["lat"] = np.array([10.0, 20.0])
    f["lat"].make_scale("latitude")
    f["field"] = np.array([[1, 2, 3], [4, 5, 6]], dtype="i2")
    f["field"].dims[0].attach_scale(f["lat"])
    f["geo/lon"] = np.array([0.0, 120.0, 240.0])
    f["geo/lon"].make_scale()
    f["field"].dims[1].attach_scale(f["geo/lon"])
    f["unattached"] = np.arange(3, dtype="u2")

# pytables.h5: a real PyTables table (a compound dataset) with indexes on two columns,
# as PyTables writes it (index groups, CArrays, EArrays), plus an array.
class Row(tables.IsDescription):
    id = tables.Int32Col(pos=0)
    x = tables.Float64Col(pos=1)
    name = tables.StringCol(8, pos=2)

    class nested(tables.IsDescription):
        _v_pos = 3
        a = tables.Int16Col(pos=0)
        b = tables.Float32Col(shape=(2,), pos=1)


with tables.open_file(path("pytables.h5"), "w", title="PyTables test") as f:
    t = f.create_table("/", "obs", Row, "Observations")
    r = t.row
    for i in range(100):
        r["id"] = i
        r["x"] = i * 0.5
        r["name"] = b"n%d" % i
        r["nested/a"] = i % 7
        r["nested/b"] = [i, -i]
        r.append()
    t.flush()
    t.cols.id.create_index()
    t.cols.x.create_csindex()
    f.create_array("/", "arr", np.arange(10, dtype="i8"), "an array")
    f.create_carray("/", "carr", obj=np.arange(6, dtype="f4").reshape(2, 3),
                    filters=tables.Filters(complevel=5, complib="zlib", shuffle=True))

# pytables_blosc.h5: a PyTables table compressed with Blosc (HDF5 filter 32001, which
# PyTables registers for itself; plain HDF5 libraries lack it unless a plugin is installed).
with tables.open_file(path("pytables_blosc.h5"), "w") as f:
    t = f.create_table("/", "obs", Row, filters=tables.Filters(complevel=5, complib="blosc"))
    rows = np.zeros(50, dtype=t.dtype)
    rows["id"] = np.arange(50)
    rows["x"] = np.arange(50) * 0.25
    t.append(rows)
    f.create_array("/", "plain", np.array([1.5, 2.5]))

# unknown_filter.h5: a dataset whose chunks need a filter (id 32123, optional so that HDF5
# creates the dataset without it) that no HDF5 library
# has; its chunks are written raw as if filtered, so reading it must fail cleanly.
with h5py.File(path("unknown_filter.h5"), "w") as f:
    f["fine"] = np.array([1, 2, 3], dtype="i4")
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((4,))
    dcpl.set_filter(32123, h5py.h5z.FLAG_OPTIONAL, (1, 2))
    space = h5py.h5s.create_simple((8,))
    dsid = h5py.h5d.create(f.id, b"needs_filter", h5py.h5t.NATIVE_INT32, space, dcpl=dcpl)
    for start in (0, 4):
        dsid.write_direct_chunk((start,), np.arange(start, start + 4, dtype="i4").tobytes(), filter_mask=0)
