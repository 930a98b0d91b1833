package nn

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"slices"

	"wasmcnn/internal/fmtlite"
)

// Checkpoint file layout: the magic "WCNNCKPT", a little-endian uint32
// version, a uint32 length and that many bytes of JSON header
// ([checkpointHeader]), then float32 values: every parameter in Params
// order, every BatchNorm's running mean and variance, then the optimizer
// state.
const (
	checkpointMagic   = "WCNNCKPT"
	checkpointVersion = 1
)

type checkpointHeader struct {
	Config    TrainConfig  `json:"config"`
	Epoch     int          `json:"epoch"`
	Step      int          `json:"step"`
	History   []EpochStats `json:"history"`
	Params    []paramInfo  `json:"params"`
	BNChans   []int        `json:"batchnorm_channels"`
	Optimizer string       `json:"optimizer"`
	OptState  int          `json:"optimizer_state_values"`
	Extra     any          `json:"extra,omitempty"` // the caller's notes, such as data settings
}

type paramInfo struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

// SaveCheckpoint writes the trainer's full state to path (through a
// temporary file, so a crash never leaves half a checkpoint).
func (t *Trainer) SaveCheckpoint(path string, extra any) error {
	h := checkpointHeader{Config: t.Cfg, Epoch: t.Epoch, Step: t.Step, History: t.History, Optimizer: t.Opt.Name(), Extra: extra}
	var vals []float32
	for _, p := range t.Net.Params() {
		h.Params = append(h.Params, paramInfo{p.Name, p.W.Shape})
		vals = append(vals, p.W.Data...)
	}
	for _, l := range t.Net.Layers {
		if bn, ok := l.(*BatchNormLayer); ok {
			h.BNChans = append(h.BNChans, len(bn.Mean))
			vals = append(vals, bn.Mean...)
			vals = append(vals, bn.Var...)
		}
	}
	opt := t.Opt.State()
	h.OptState = len(opt)
	vals = append(vals, opt...)
	hj, err := json.Marshal(h)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString(checkpointMagic)
	_ = binary.Write(&buf, binary.LittleEndian, uint32(checkpointVersion))
	_ = binary.Write(&buf, binary.LittleEndian, uint32(len(hj)))
	buf.Write(hj)
	b := make([]byte, 4*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	buf.Write(b)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// ReadCheckpointConfig returns the training configuration and the caller's
// notes stored in a checkpoint, so the network and data can be rebuilt
// before [Trainer.LoadCheckpoint].
func ReadCheckpointConfig(path string) (TrainConfig, json.RawMessage, error) {
	h, _, err := readCheckpoint(path)
	if err != nil {
		return TrainConfig{}, nil, err
	}
	extra, _ := json.Marshal(h.Extra)
	return h.Config, extra, nil
}

func readCheckpoint(path string) (*checkpointHeader, []float32, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	if len(b) < 16 || string(b[:8]) != checkpointMagic {
		return nil, nil, fmtlite.Errorf("nn: %s is not a wasmcnn checkpoint", path)
	}
	if v := binary.LittleEndian.Uint32(b[8:]); v != checkpointVersion {
		return nil, nil, fmtlite.Errorf("nn: %s is checkpoint version %d; this wasmcnn reads version %d (HINT: resume with the wasmcnn that wrote it)", path, v, checkpointVersion)
	}
	n := int(binary.LittleEndian.Uint32(b[12:]))
	if n > len(b)-16 {
		return nil, nil, fmtlite.Errorf("nn: %s: truncated header", path)
	}
	var h checkpointHeader
	if err := json.Unmarshal(b[16:16+n], &h); err != nil {
		return nil, nil, fmtlite.Errorf("nn: %s: %v", path, err)
	}
	rest := b[16+n:]
	if len(rest)%4 != 0 {
		return nil, nil, fmtlite.Errorf("nn: %s: truncated values", path)
	}
	vals := make([]float32, len(rest)/4)
	for i := range vals {
		vals[i] = math.Float32frombits(binary.LittleEndian.Uint32(rest[4*i:]))
	}
	return &h, vals, nil
}

// LoadCheckpoint restores a trainer (built for the same architecture and
// configuration) from path: weights, running statistics, optimizer state,
// epoch, step and history.
func (t *Trainer) LoadCheckpoint(path string) error {
	h, vals, err := readCheckpoint(path)
	if err != nil {
		return err
	}
	params := t.Net.Params()
	if len(h.Params) != len(params) {
		return fmtlite.Errorf("nn: checkpoint has %d parameters, the network %d", len(h.Params), len(params))
	}
	off := 0
	take := func(n int) ([]float32, error) {
		if off+n > len(vals) {
			return nil, io.ErrUnexpectedEOF
		}
		s := vals[off : off+n]
		off += n
		return s, nil
	}
	for i, p := range params {
		if h.Params[i].Name != p.Name || !slices.Equal(h.Params[i].Shape, p.W.Shape) {
			return fmtlite.Errorf("nn: checkpoint parameter %s %v does not match %s %v", h.Params[i].Name, h.Params[i].Shape, p.Name, p.W.Shape)
		}
		s, err := take(p.W.Len())
		if err != nil {
			return err
		}
		copy(p.W.Data, s)
	}
	bi := 0
	for _, l := range t.Net.Layers {
		bn, ok := l.(*BatchNormLayer)
		if !ok {
			continue
		}
		if bi >= len(h.BNChans) || h.BNChans[bi] != len(bn.Mean) {
			return errors.New("nn: checkpoint batch normalisations do not match the network")
		}
		bi++
		m, err := take(len(bn.Mean))
		if err != nil {
			return err
		}
		v, err := take(len(bn.Var))
		if err != nil {
			return err
		}
		copy(bn.Mean, m)
		copy(bn.Var, v)
	}
	opt, err := take(h.OptState)
	if err != nil {
		return err
	}
	if off != len(vals) {
		return fmtlite.Errorf("nn: checkpoint has %d values left over", len(vals)-off)
	}
	if err := t.Opt.SetState(opt, params); err != nil {
		return err
	}
	t.Epoch, t.Step, t.History = h.Epoch, h.Step, h.History
	t.syncBatchNorm()
	for _, tw := range t.workers {
		for li, l := range tw.net.Layers {
			if bn, ok := l.(*BatchNormLayer); ok {
				src := t.Net.Layers[li].(*BatchNormLayer)
				copy(bn.Mean, src.Mean)
				copy(bn.Var, src.Var)
			}
		}
	}
	return nil
}
