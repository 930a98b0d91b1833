//go:build !js

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"wasmcnn/internal/workerd"
)

// health is the answer of GET /healthz.
type health struct {
	OK       bool   `json:"ok"`
	Kernel   string `json:"kernel"`
	Instance string `json:"instance"`
	Requests int64  `json:"requests"`
}

func getHealth(t *testing.T, client *http.Client, base string) health {
	t.Helper()
	resp, body, err := send(client, base, reqCase{method: "GET", path: "/healthz"})
	if err != nil {
		t.Fatal(err)
	}
	var h health
	if resp.StatusCode != 200 || json.Unmarshal(body, &h) != nil || !h.OK || h.Instance == "" {
		t.Fatalf("/healthz: %d %s", resp.StatusCode, body)
	}
	return h
}

// strokeCases returns a /predict request for each of the first n held-out
// pen digits.
func strokeCases(t *testing.T, n int) []reqCase {
	var cs []reqCase
	for i, d := range penDigits(t)[:n] {
		cs = append(cs, reqCase{desc: fmt.Sprintf("pen digit %d (a %d)", i, d.Label), method: "POST", path: "/predict", ctype: "application/json",
			body: mustJSON(map[string]any{"strokes": d.Strokes}), status: 200, want: d.Label, input: nativeInput(d.Strokes)})
	}
	return cs
}

// TestWorkerdKernels serves the other bundles, the isolate entry with plain
// SIMD and with Go's kernel and the per-request entry of
// github.com/syumai/workers, and checks that each says which kernel answers
// and that every answer matches the native engine within 1e-6.
func TestWorkerdKernels(t *testing.T) {
	native := nativeModel(t)
	for _, tc := range []struct {
		opt    workerd.Options
		kernel string
	}{
		{workerd.Options{Entry: workerd.EntryIsolate, Kernel: workerd.KernelSIMD}, "wasm-simd-4x8"},
		{workerd.Options{Entry: workerd.EntryIsolate, Kernel: workerd.KernelGo}, "go2x4"},
		{workerd.Options{Entry: workerd.EntryRequest}, "go2x4"},
	} {
		name := string(tc.opt.Entry) + "-entry"
		if tc.opt.Kernel != "" {
			name += "-" + string(tc.opt.Kernel)
		}
		t.Run(name, func(t *testing.T) {
			w := startWorkerd(t, tc.opt)
			client := &http.Client{Timeout: 30 * time.Second}
			if h := getHealth(t, client, w.base); h.Kernel != tc.kernel {
				t.Errorf("/healthz names the kernel %q, want %q", h.Kernel, tc.kernel)
			}
			for _, c := range requestCases(t) {
				resp, body, err := send(client, w.base, c)
				if err != nil {
					t.Errorf("%s: %v", c.desc, err)
					continue
				}
				checkResponse(t, c, resp, body, native)
				if c.status == 200 && c.path == "/predict" && c.want >= 0 {
					if k := resp.Header.Get("Server-Timing"); !strings.Contains(k, `kernel;desc="`+tc.kernel+`"`) {
						t.Errorf("%s: Server-Timing %q does not name the kernel %s", c.desc, k, tc.kernel)
					}
				}
			}
		})
	}
}

// TestWorkerdConcurrentDigits sends 64 different pen digits at once, a few
// times over, and checks that every answer is byte for byte the answer the
// same drawing gets alone: no state of one request reaches another.
func TestWorkerdConcurrentDigits(t *testing.T) {
	w := startWorkerd(t, workerd.Options{})
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	native := nativeModel(t)
	cases := strokeCases(t, 64)
	alone := make([][]byte, len(cases))
	for i, c := range cases {
		resp, body, err := send(client, w.base, c)
		if err != nil {
			t.Fatal(err)
		}
		checkResponse(t, c, resp, body, native)
		alone[i] = body
	}
	id := getHealth(t, client, w.base).Instance
	for round := 0; round < 5; round++ {
		start := make(chan struct{})
		got := make([][]byte, len(cases))
		errs := make([]error, len(cases))
		var wg sync.WaitGroup
		for i, c := range cases {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				resp, body, err := send(client, w.base, c)
				if err == nil && resp.StatusCode != 200 {
					err = fmt.Errorf("status %d: %s", resp.StatusCode, body)
				}
				got[i], errs[i] = body, err
			}()
		}
		close(start)
		wg.Wait()
		for i := range cases {
			if errs[i] != nil {
				t.Errorf("round %d, %s: %v", round, cases[i].desc, errs[i])
			} else if !bytes.Equal(got[i], alone[i]) {
				t.Errorf("round %d, %s: answered among 63 others\n%s\nbut alone\n%s", round, cases[i].desc, got[i], alone[i])
			}
		}
	}
	if h := getHealth(t, client, w.base); h.Instance != id {
		t.Errorf("the instance changed from %s to %s", id, h.Instance)
	} else {
		t.Logf("one instance answered %d requests", h.Requests)
	}
}

// TestWorkerdFaults makes the Go handler fail the ways a bug can (a bundle
// built with the test-only fault hook): a panic is answered with a 500 and
// the instance goes on; an exit of the Go program or a trap of the instance
// answers the request in flight with a 500 JSON error, and the next request
// gets a fresh instance that answers as before.
func TestWorkerdFaults(t *testing.T) {
	w := startWorkerd(t, workerd.Options{App: builtApp(t, true)})
	client := &http.Client{Timeout: 30 * time.Second}
	c := strokeCases(t, 1)[0]
	_, want, err := send(client, w.base, c)
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string) {
		t.Helper()
		resp, body, err := send(client, w.base, c)
		if err != nil || resp.StatusCode != 200 || !bytes.Equal(body, want) {
			t.Fatalf("after %s: %v %v %s, want the answer of before", what, err, resp, body)
		}
	}
	isError := func(fault string, resp *http.Response, body []byte) {
		t.Helper()
		var e struct{ Error string }
		if resp.StatusCode != 500 || json.Unmarshal(body, &e) != nil || e.Error == "" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s: status %d, %q; want 500 with a JSON error", fault, resp.StatusCode, body)
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: no CORS header on the error", fault)
		}
		t.Logf("%s: %d %s", fault, resp.StatusCode, strings.TrimSpace(string(body)))
	}

	id := getHealth(t, client, w.base).Instance
	for i := 0; i < 3; i++ {
		resp, body, err := send(client, w.base, c, "X-Wasmcnn-Fault", "panic")
		if err != nil {
			t.Fatal(err)
		}
		isError("panic", resp, body)
		check("a panic")
	}
	if h := getHealth(t, client, w.base); h.Instance != id {
		t.Errorf("a panic restarted the instance (%s, then %s)", id, h.Instance)
	}

	for _, fault := range []string{"exit", "goroutine-panic", "trap"} {
		resp, body, err := send(client, w.base, c, "X-Wasmcnn-Fault", fault)
		if err != nil {
			t.Fatalf("%s: %v", fault, err)
		}
		isError(fault, resp, body)
		check(fault)
		h := getHealth(t, client, w.base)
		if h.Instance == id {
			t.Errorf("%s: the instance %s kept serving", fault, id)
		}
		id = h.Instance
	}
}

// TestWorkerdStalledBody keeps requests whose body never arrives open while
// other requests are served as usual; the stalled ones get a 408 once the
// entry stops waiting (2 s here).
func TestWorkerdStalledBody(t *testing.T) {
	w := startWorkerd(t, workerd.Options{BodyTimeout: 2 * time.Second})
	addr := strings.TrimPrefix(w.base, "http://")
	client := &http.Client{Timeout: 30 * time.Second}
	c := strokeCases(t, 1)[0]
	_, want, err := send(client, w.base, c)
	if err != nil {
		t.Fatal(err)
	}
	// Two clients: one declares a length and sends half, one sends a chunk
	// of a chunked body; neither sends more.
	stalled := []string{
		fmt.Sprintf("POST /predict HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", addr, len(c.body), c.body[:len(c.body)/2]),
		fmt.Sprintf("POST /predict HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", addr, len(c.body)/2, c.body[:len(c.body)/2]),
	}
	var conns []net.Conn
	for _, req := range stalled {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, req); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, conn)
	}
	start := time.Now()
	for i := 0; i < 40; i++ {
		resp, body, err := send(client, w.base, c)
		if err != nil || resp.StatusCode != 200 || !bytes.Equal(body, want) {
			t.Fatalf("request %d while bodies stall: %v %v %s", i, err, resp, body)
		}
	}
	t.Logf("40 requests answered in %v while 2 bodies stalled", time.Since(start).Round(time.Millisecond))
	for i, conn := range conns {
		conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Errorf("stalled body %d: %v", i, err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestTimeout || !bytes.Contains(body, []byte(`"error"`)) {
			t.Errorf("stalled body %d: %d %s, want 408 with a JSON error", i, resp.StatusCode, body)
		}
	}
	t.Logf("the stalled bodies were refused after %v", time.Since(start).Round(time.Millisecond))
}

// TestWorkerdSoak sends 3,000 requests of 300 different pen digits through
// one instance: none may fail and every answer must stay what it was the
// first time. With WASMCNN_SOAK=1 it sends 10,000 after 30,000 more and
// checks that workerd's resident memory grows by at most 10 % over those
// 10,000 (minutes): workerd's own allocations (even a worker of one line
// answering from JavaScript) take some 25,000 requests to level off, near
// 280 MB here.
func TestWorkerdSoak(t *testing.T) {
	n, warm := 3000, 0
	if os.Getenv("WASMCNN_SOAK") != "" {
		n, warm = 10000, 30000
	}
	w := startWorkerd(t, workerd.Options{})
	client := &http.Client{Timeout: 30 * time.Second}
	cases := strokeCases(t, 300)
	first := make([][]byte, len(cases))
	for i, c := range cases {
		_, body, err := send(client, w.base, c)
		if err != nil {
			t.Fatal(err)
		}
		first[i] = body
	}
	id := getHealth(t, client, w.base).Instance
	var rss0, peak, rss int64
	failures, changed := 0, 0
	cpu0, start := workerd.ProcessCPU(w.proc.Pid), time.Now()
	for i := 0; i < warm+n; i++ {
		if i == warm {
			rss0, peak = workerd.ProcessRSSKiB(w.proc.Pid), 0
			cpu0, start = workerd.ProcessCPU(w.proc.Pid), time.Now()
		}
		k := i % len(cases)
		resp, body, err := send(client, w.base, cases[k])
		switch {
		case err != nil || resp.StatusCode != 200:
			failures++
			if failures <= 3 {
				t.Errorf("request %d: %v %v %s", i, err, resp, body)
			}
		case !bytes.Equal(body, first[k]):
			changed++
			if changed <= 3 {
				t.Errorf("request %d, %s: %s, first %s", i, cases[k].desc, body, first[k])
			}
		}
		if i%500 == 0 || i == warm+n-1 {
			rss = workerd.ProcessRSSKiB(w.proc.Pid)
			peak = max(peak, rss)
		}
	}
	cpu := float64(workerd.ProcessCPU(w.proc.Pid)-cpu0) / float64(time.Millisecond) / float64(n)
	growth := 100 * float64(rss-rss0) / float64(rss0)
	t.Logf("%d requests through one instance (after %d) in %v: %d failed, %d changed; workerd RSS %.1f MB before them, %.1f MB after (%+.1f %%, peak %.1f MB); %.2f ms CPU per request",
		n, warm, time.Since(start).Round(time.Millisecond), failures, changed, float64(rss0)/1024, float64(rss)/1024, growth, float64(peak)/1024, cpu)
	if warm > 0 && growth > 10 {
		t.Errorf("workerd's memory grew by %.1f %% (from %d to %d KiB), more than 10 %%", growth, rss0, rss)
	}
	if h := getHealth(t, client, w.base); h.Instance != id {
		t.Errorf("the instance changed from %s to %s", id, h.Instance)
	}
}
