//go:build js

package api

import "syscall/js"

// This file adds runInputs to the API: a model with several (or integer)
// inputs run by name, behind the JavaScript m.run({name: {data, shape}, …})
// (web/wasmcnn-runtime.mjs), registered in register. predict stays the fast path of one float input.

// runInputs(handle, {name: {data, shape}, …}) → {outputName: {data, shape,
// type}} for every output of the model, data a Float32Array of its values.
func (a *api) runInputs(args []js.Value) (any, error) {
	h, err := handle(args, "run")
	if err != nil {
		return nil, err
	}
	feeds := js.Undefined()
	if len(args) > 1 {
		feeds = args[1]
	}
	outs, err := a.models.RunInputs(h, wrap(feeds))
	if err != nil {
		return nil, err
	}
	obj := jsObject.New()
	for _, o := range outs {
		t := tensorToJS(o.Tensor)
		t.Set("type", o.Type)
		obj.Set(o.Name, t)
	}
	return obj, nil
}
