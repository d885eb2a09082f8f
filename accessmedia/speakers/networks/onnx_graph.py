"""Building an ONNX graph from numpy weights, node by node: what the ported networks (campplus_onnx.py,
segmentation.py) share. The `onnx` package only writes the graph; onnxruntime runs it."""

from __future__ import annotations

import numpy as np

OPSET = 17


class Graph:
    def __init__(self) -> None:
        self.nodes: list = []
        self.inits: list = []
        self._count = 0

    def _name(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}{self._count}"

    def const(self, array: np.ndarray) -> str:
        """A weight (or any constant) as an initializer; its name."""
        from onnx import numpy_helper

        name = self._name("w")
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(self, kind: str, inputs: list[str], **attrs) -> str:
        """A node of `kind`; the name of its one output."""
        from onnx import helper

        out = self._name(kind.lower())
        self.nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    def serialize(self, title: str, inputs: list[tuple[str, list]], outputs: list[tuple[str, list]]) -> bytes:
        """The model whose last node's output is renamed to the one output, float inputs and outputs of the shapes given."""
        from onnx import TensorProto, helper

        self.nodes[-1].output[0] = outputs[0][0]
        graph = helper.make_graph(self.nodes, title, [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs],
                                  [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in outputs], self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="accessmedia")
        model.ir_version = 8
        return model.SerializeToString()
