package onnx

import (
	"strconv"
	"strings"

	"wasmcnn/internal/fmtlite"
)

// This file holds, for every operator of the default domain that wasmcnn
// implements, the opsets at which ONNX changed its definition (from ONNX's
// Changelog.md, up to opset 25), so that a model of any opset from MinOpset
// to MaxOpset is read with the definition in force at its opset. Most
// changes only widen the element types (bfloat16 at 13 and 22, int4 at 21,
// float4 at 23…) or reword the text; those that change what a node
// computes, and how wasmcnn follows them, are:
//
//   - attributes that became inputs: Clip 11, Pad 11, Slice 10, Upsample 9,
//     Squeeze, Unsqueeze and Split 13, ReduceSum 13 and the other Reduce ops
//     18, Dropout 12 (ratio, training_mode) — read from the attribute or the
//     input by opset;
//   - Softmax and LogSoftmax 13: along one axis instead of over the
//     flattened trailing dimensions — both implemented;
//   - new attributes: MaxPool 10 (ceil_mode, dilations), AveragePool 10
//     (ceil_mode) and 19 (dilations), Reshape 14 (allowzero), Shape 15
//     (start, end), Split 18 (num_outputs), Pad 18 (axes) and 19 (wrap
//     mode), Resize 11, 18 and 19 (coordinate modes, axes,
//     keep_aspect_ratio_policy, antialias), ArgMax and ArgMin 12
//     (select_last_index), DepthToSpace 11 (mode), BatchNormalization 14
//     (training_mode), QuantizeLinear and DequantizeLinear 13 (axis), 19
//     (saturate), 21 (block_size, output_dtype) and 23 (precision) —
//     implemented, except values that only the types wasmcnn does not
//     compute use (float 8, int 4) and blocked quantization, refused by
//     value with the node named;
//   - MaxPool and AveragePool 22 state that windows starting in the right
//     padding are dropped with ceil_mode, which wasmcnn always did.
//
// A change whose meaning wasmcnn does not implement is listed in
// refusedChanges and refused with what changed.

// opVersions lists, per operator, the opsets at which its definition
// changed.
var opVersions = map[string]string{
	"Conv":                  "1 11 22",
	"MaxPool":               "1 8 10 11 12 22",
	"AveragePool":           "1 7 10 11 19 22",
	"GlobalAveragePool":     "1 22",
	"GlobalMaxPool":         "1 22",
	"Gemm":                  "1 6 7 9 11 13",
	"MatMul":                "1 9 13",
	"BatchNormalization":    "1 6 7 9 14 15",
	"Dropout":               "1 6 7 10 12 13 22",
	"Add":                   "1 6 7 13 14",
	"Sub":                   "1 6 7 13 14",
	"Mul":                   "1 6 7 13 14",
	"Div":                   "1 6 7 13 14",
	"Relu":                  "1 6 13 14",
	"Sigmoid":               "1 6 13",
	"Tanh":                  "1 6 13",
	"LeakyRelu":             "1 6 16",
	"Clip":                  "1 6 11 12 13",
	"Softmax":               "1 11 13",
	"LogSoftmax":            "1 11 13",
	"Identity":              "1 13 14 16 19 21 23 24 25",
	"Flatten":               "1 9 11 13 21 23 24 25",
	"Reshape":               "1 5 13 14 19 21 23 24 25",
	"Squeeze":               "1 11 13 21 23 24 25",
	"Unsqueeze":             "1 11 13 21 23 24 25",
	"Transpose":             "1 13 21 23 24 25",
	"Concat":                "1 4 11 13",
	"Shape":                 "1 13 15 19 21 23 24 25",
	"Gather":                "1 11 13",
	"Cast":                  "1 6 9 13 19 21 23 24 25",
	"Constant":              "1 9 11 12 13 19 21 23 24 25",
	"Sum":                   "1 6 8 13",
	"Max":                   "1 6 8 12 13",
	"Min":                   "1 6 8 12 13",
	"Mean":                  "1 6 8 13",
	"PRelu":                 "1 6 7 9 16",
	"HardSigmoid":           "1 6 22",
	"HardSwish":             "14 22",
	"Elu":                   "1 6 22",
	"Selu":                  "1 6 22",
	"Softplus":              "1 22",
	"Softsign":              "1 22",
	"Exp":                   "1 6 13",
	"Log":                   "1 6 13",
	"Sqrt":                  "1 6 13",
	"Pow":                   "1 7 12 13 15",
	"Neg":                   "1 6 13",
	"Abs":                   "1 6 13",
	"Reciprocal":            "1 6 13",
	"Erf":                   "9 13",
	"Floor":                 "1 6 13",
	"Ceil":                  "1 6 13",
	"Round":                 "11 22",
	"Sign":                  "9 13",
	"Gelu":                  "20",
	"Mish":                  "18 22",
	"ThresholdedRelu":       "10 22",
	"Celu":                  "12 28",
	"Slice":                 "1 10 11 13",
	"Split":                 "1 2 11 13 18",
	"Pad":                   "1 2 11 13 18 19 21 23 24 25",
	"Resize":                "10 11 13 18 19",
	"Upsample":              "1 7 9 10",
	"ReduceMean":            "1 11 13 18",
	"ReduceMax":             "1 11 12 13 18 20",
	"ReduceMin":             "1 11 12 13 18 20",
	"ReduceSum":             "1 11 13",
	"ReduceL2":              "1 11 13 18",
	"ReduceL1":              "1 11 13 18",
	"ReduceProd":            "1 11 13 18",
	"ReduceSumSquare":       "1 11 13 18",
	"ReduceLogSumExp":       "1 11 13 18",
	"ReduceLogSum":          "1 11 13 18",
	"LRN":                   "1 13",
	"InstanceNormalization": "1 6 22",
	"LayerNormalization":    "17",
	"ConvTranspose":         "1 11 22",
	"DepthToSpace":          "1 11 13",
	"SpaceToDepth":          "1 13",
	"Expand":                "8 13",
	"Tile":                  "1 6 13",
	"ConstantOfShape":       "9 20 21 23 24 25",
	"QuantizeLinear":        "10 13 19 21 23 24 25",
	"DequantizeLinear":      "10 13 19 21 23 24 25",
	"QLinearConv":           "10",
	"QLinearMatMul":         "10 21",
	"Size":                  "1 13 19 21 23 24 25",
	"Range":                 "11 27",
	"Equal":                 "1 7 11 13 19",
	"Less":                  "1 7 9 13",
	"Greater":               "1 7 9 13",
	"LessOrEqual":           "12 16",
	"GreaterOrEqual":        "12 16",
	"Where":                 "9 16",
	"Not":                   "1",
	"And":                   "1 7",
	"Or":                    "1 7",
	"CastLike":              "15 19 21 23 24 25",
	"ArgMax":                "1 11 12 13",
	"ArgMin":                "1 11 12 13",
}

// refusedChanges are the changes of definition that wasmcnn does not
// implement, by "op@opset".
var refusedChanges = map[string]string{
	"Upsample@10": "Upsample was deprecated in favour of Resize",
}

// checkOpVersion refuses an operator that does not exist at the model's
// opset or whose definition there is one wasmcnn does not implement.
func checkOpVersion(nodeName, op string, opset int64) error {
	list, ok := opVersions[op]
	if !ok {
		return nil
	}
	var inForce, first int64
	for _, f := range strings.Fields(list) {
		v, _ := strconv.ParseInt(f, 10, 64)
		if first == 0 {
			first = v
		}
		if v <= opset {
			inForce = v
		}
	}
	if inForce == 0 {
		return fmtlite.Errorf("onnx: node %q: op %s exists from opset %d on; the model imports opset %d", nodeName, op, first, opset)
	}
	if why, refused := refusedChanges[op+"@"+strconv.FormatInt(inForce, 10)]; refused {
		return fmtlite.Errorf("onnx: node %q: op %s changed at opset %d: %s; wasmcnn implements %s as defined before opset %d (the model imports opset %d)", nodeName, op, inForce, why, op, inForce, opset)
	}
	return nil
}
