package main

import (
	"reflect"
	"testing"

	"wasmcnn/internal/workerd"
)

func TestParseBenchEntries(t *testing.T) {
	got, err := parseBenchEntries("isolate, isolate:go,request,request@HEAD~2")
	want := []workerd.Options{
		{Entry: workerd.EntryIsolate},
		{Entry: workerd.EntryIsolate, Kernel: workerd.KernelGo},
		{Entry: workerd.EntryRequest},
		{Entry: workerd.EntryRequest, Rev: "HEAD~2"},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, %v; want %+v", got, err, want)
	}
	for _, bad := range []string{"", "isolated", "isolate:avx", "request@", "isolate,,request"} {
		if _, err := parseBenchEntries(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
