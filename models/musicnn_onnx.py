#!/usr/bin/env python3
"""musicnn's MTT model as ONNX, built from the weights inside the musicnn wheel.

    python3 models/musicnn_onnx.py WHEEL_DIR OUT.onnx [MODEL]

WHEEL_DIR is an unpacked `musicnn` 0.1.0 wheel (ISC licence; `pip download --no-deps
musicnn==0.1.0` then unzip), MODEL `MTT_musicnn` (the default; `MSD_musicnn` has the same
graph). TensorFlow is not needed: the TF1 checkpoint's index (a LevelDB table of tensor
entries) is read here, the float32 weights are taken from its data file, and the graph of
musicnn's `models.build_musicnn` (front end 7774timbraltemporal, dense mid end of 64
filters, global max+mean pooling, 200 units, 50 sigmoid outputs) is written with the `onnx`
package, NCHW, batch normalisation folded into a multiply-add (TF's epsilon 0.001).

Input `patches` [N, 187, 96] (log-compressed mel patches, time × band), output `tags` [N, 50]
(the MTT tag probabilities, in `musicnn.configuration.MTT_LABELS` order). The weights are
initializers named after musicnn's TF layers (`conv2d/kernel` in ONNX's [out, in, kh, kw],
`batch_normalization_1/scale` and `/shift`, `dense/kernel` as [in, out], ...): selecta reads
them by name (src/analysis/musicnn.rs); any ONNX runtime can run the graph itself.
"""
import os
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

EPS = 1e-3  # tf.compat.v1.layers.batch_normalization's default epsilon


def varint(b, i):
    r = s = 0
    while True:
        c = b[i]
        i += 1
        r |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return r, i


def block_entries(b):
    n = struct.unpack_from("<I", b, len(b) - 4)[0]
    end = len(b) - 4 - 4 * n
    i, key = 0, b""
    while i < end:
        shared, i = varint(b, i)
        unshared, i = varint(b, i)
        vlen, i = varint(b, i)
        key = key[:shared] + b[i : i + unshared]
        i += unshared
        yield key, b[i : i + vlen]
        i += vlen


def read_block(data, off, size):
    if data[off + size] != 0:
        raise ValueError("compressed checkpoint block: not supported")
    return data[off : off + size]


def fields(b):
    """A protobuf message as {field number: [values]} (enough for BundleEntryProto)."""
    i, out = 0, {}
    while i < len(b):
        tag, i = varint(b, i)
        num, wire = tag >> 3, tag & 7
        if wire == 0:
            v, i = varint(b, i)
        elif wire == 2:
            n, i = varint(b, i)
            v = b[i : i + n]
            i += n
        elif wire == 5:
            v, i = b[i : i + 4], i + 4
        elif wire == 1:
            v, i = b[i : i + 8], i + 8
        else:
            raise ValueError(f"protobuf wire type {wire}")
        out.setdefault(num, []).append(v)
    return out


def checkpoint(prefix):
    """{name: float32 array} of a TF1 checkpoint `prefix` (.index + .data-00000-of-00001)."""
    index = open(prefix + ".index", "rb").read()
    values = open(prefix + ".data-00000-of-00001", "rb").read()
    footer = index[-48:]
    _, i = varint(footer, 0)
    _, i = varint(footer, i)
    ioff, i = varint(footer, i)
    isize, i = varint(footer, i)
    out = {}
    for _, handle in block_entries(read_block(index, ioff, isize)):
        off, j = varint(handle, 0)
        size, j = varint(handle, j)
        for key, v in block_entries(read_block(index, off, size)):
            if key == b"":
                continue  # the bundle header
            e = fields(v)
            if e.get(1, [0])[0] != 1:  # DT_FLOAT
                continue
            shape = [fields(d).get(1, [0])[0] for d in fields(e[2][0]).get(2, [])] if 2 in e else []
            start, n = e.get(4, [0])[0], e.get(5, [0])[0]
            out[key.decode()] = np.frombuffer(values[start : start + n], dtype="<f4").reshape(shape)
    return out


class Graph:
    def __init__(self, w):
        self.w, self.nodes, self.inits, self.n = w, [], [], 0

    def const(self, arr, name=None):
        self.n += 1
        name = name or f"c{self.n}"
        if arr.dtype != np.int64:
            arr = np.ascontiguousarray(arr, dtype=np.float32)
        self.inits.append(numpy_helper.from_array(arr, name))
        return name

    def op(self, kind, inputs, **attrs):
        self.n += 1
        out = f"t{self.n}"
        self.nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    def bn(self, x, layer, shape):
        w = self.w
        scale = w[f"{layer}/gamma"] / np.sqrt(w[f"{layer}/moving_variance"] + EPS)
        shift = w[f"{layer}/beta"] - w[f"{layer}/moving_mean"] * scale
        return self.op("Add", [self.op("Mul", [x, self.const(scale.reshape(shape), f"{layer}/scale")]), self.const(shift.reshape(shape), f"{layer}/shift")])

    def conv(self, x, layer, pads, conv1d=False):
        k = self.w[f"{layer}/kernel"]  # TF [kh, kw, in, out]
        if conv1d:  # [kh, C, 1, out] over a [N, C, T] input → [out, C, kh]
            k = k[:, :, 0, :].transpose(2, 1, 0)
        else:
            k = k.transpose(3, 2, 0, 1)
        y = self.op("Conv", [x, self.const(k, f"{layer}/kernel"), self.const(self.w[f"{layer}/bias"], f"{layer}/bias")], pads=pads)
        return self.op("Relu", [y])


def build(w):
    g = Graph(w)
    x = g.op("Unsqueeze", ["patches", g.const(np.array([1], dtype=np.int64))])  # [N,1,T,F]
    x = g.bn(x, "batch_normalization", [1])
    front = []
    # timbral: time padded 3+3, kernels 7×38 and 7×67, 204 filters; max over frequency
    for conv, bn in (("conv2d", "batch_normalization_1"), ("conv2d_1", "batch_normalization_2")):
        y = g.bn(g.conv(x, conv, [3, 0, 3, 0]), bn, [-1, 1, 1])
        front.append(g.op("ReduceMax", [y, g.const(np.array([3], dtype=np.int64))], keepdims=0))
    # temporal: 'same' padding of 128/64/32×1 kernels (TF puts the odd extra row after)
    for conv, bn, k in (("conv2d_2", "batch_normalization_3", 128), ("conv2d_3", "batch_normalization_4", 64), ("conv2d_4", "batch_normalization_5", 32)):
        before = (k - 1) // 2
        y = g.bn(g.conv(x, conv, [before, 0, k - 1 - before, 0]), bn, [-1, 1, 1])
        front.append(g.op("ReduceMax", [y, g.const(np.array([3], dtype=np.int64))], keepdims=0))
    f = g.op("Concat", front, axis=1)  # [N,561,T]
    # mid end: three 7-wide convolutions over all channels, the last two residual
    m1 = g.bn(g.conv(f, "conv2d_5", [3, 3], conv1d=True), "batch_normalization_6", [-1, 1])
    m2 = g.op("Add", [g.bn(g.conv(m1, "conv2d_6", [3, 3], conv1d=True), "batch_normalization_7", [-1, 1]), m1])
    m3 = g.op("Add", [g.bn(g.conv(m2, "conv2d_7", [3, 3], conv1d=True), "batch_normalization_8", [-1, 1]), m2])
    mid = g.op("Concat", [f, m1, m2, m3], axis=1)  # [N,753,T]
    # back end: max and mean over time, interleaved per channel as TF's concat+flatten does
    axis2 = g.const(np.array([2], dtype=np.int64))
    mx = g.op("ReduceMax", [mid, axis2], keepdims=1)
    mean = g.op("ReduceMean", [mid, axis2], keepdims=1)
    flat = g.op("Flatten", [g.op("Concat", [mx, mean], axis=2)], axis=1)  # [N,1506]
    flat = g.bn(flat, "batch_normalization_9", [1, -1])
    d = g.op("Relu", [g.op("Add", [g.op("MatMul", [flat, g.const(w["dense/kernel"], "dense/kernel")]), g.const(w["dense/bias"], "dense/bias")])])
    d = g.bn(d, "batch_normalization_10", [1, -1])
    logits = g.op("Add", [g.op("MatMul", [d, g.const(w["dense_1/kernel"], "dense_1/kernel")]), g.const(w["dense_1/bias"], "dense_1/bias")])
    g.nodes.append(helper.make_node("Sigmoid", [logits], ["tags"]))
    graph = helper.make_graph(
        g.nodes,
        "musicnn",
        [helper.make_tensor_value_info("patches", TensorProto.FLOAT, ["N", 187, 96])],
        [helper.make_tensor_value_info("tags", TensorProto.FLOAT, ["N", 50])],
        g.inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], producer_name="selecta models/musicnn_onnx.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    wheel, out = sys.argv[1], sys.argv[2]
    name = sys.argv[3] if len(sys.argv) > 3 else "MTT_musicnn"
    w = checkpoint(os.path.join(wheel, "musicnn", name, ""))
    model = build(w)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    tmp = out + ".tmp"
    onnx.save(model, tmp)
    os.replace(tmp, out)
    print(f"{out}: {name} from the musicnn wheel, {os.path.getsize(out)} bytes")


if __name__ == "__main__":
    main()
