//go:build !js

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"wasmcnn/internal/workerd"
)

// MaxBundleGzip is the Workers free plan's limit on a compressed upload (3 MB).
const MaxBundleGzip = 3_000_000

// apps holds app.wasm built once for all the tests of the package: as
// deployed, and with the fault hook of faults_js.go.
var apps struct {
	once          sync.Once
	plain, faults string
	dir           string
	err           error
}

// builtApp returns the path of an app.wasm, with the fault hook or not; it
// skips the test when workerd is missing (unless WASMCNN_REQUIRE_WORKERD).
func builtApp(t *testing.T, faults bool) string {
	t.Helper()
	root, _ := filepath.Abs("..")
	if _, err := workerd.Workerd(root); err != nil {
		if os.Getenv("WASMCNN_REQUIRE_WORKERD") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	apps.once.Do(func() {
		apps.dir, apps.err = os.MkdirTemp("", "wasmcnn-worker-test-")
		if apps.err != nil {
			return
		}
		apps.plain, apps.faults = filepath.Join(apps.dir, "app.wasm"), filepath.Join(apps.dir, "app-faults.wasm")
		if apps.err = workerd.BuildApp(root, apps.plain, nil, true); apps.err != nil {
			return
		}
		apps.err = workerd.BuildApp(root, apps.faults, []string{"wasmcnn_faults"}, true)
	})
	if apps.err != nil {
		t.Fatal(apps.err)
	}
	if faults {
		return apps.faults
	}
	return apps.plain
}

func TestMain(m *testing.M) {
	code := m.Run()
	if apps.dir != "" {
		os.RemoveAll(apps.dir)
	}
	os.Exit(code)
}

// workerd is a bundle served by workerd for one test.
type runningWorkerd struct {
	base string
	proc *os.Process
	logs *syncBuffer
}

// startWorkerd builds a bundle (with the deployed app.wasm unless opt names
// another), starts it under workerd on a free port of 127.0.0.1 and stops it
// by PID when the test ends.
func startWorkerd(t *testing.T, opt workerd.Options) *runningWorkerd {
	t.Helper()
	if opt.App == "" {
		opt.App = builtApp(t, false)
	}
	root, _ := filepath.Abs("..")
	b, err := workerd.Build(root, filepath.Join(t.TempDir(), "build"), opt)
	if err != nil {
		t.Fatal(err)
	}
	raw, gz, err := b.Size()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s-entry bundle (kernel %s): %d bytes, %d gzip -9 (limit %d)", b.Options.Entry, b.Options.Kernel, raw, gz, MaxBundleGzip)
	if gz >= MaxBundleGzip {
		t.Errorf("the bundle is %d bytes gzipped, over the %d limit", gz, MaxBundleGzip)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd, err := b.Command(root, addr)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
		if t.Failed() {
			t.Logf("workerd output:\n%s", logs.String())
		}
	})
	if err := workerd.WaitListening(addr, 30*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	return &runningWorkerd{base: "http://" + addr, proc: cmd.Process, logs: logs}
}

// syncBuffer collects a process's output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// send makes the request of c, with the extra headers given as name, value
// pairs.
func send(client *http.Client, base string, c reqCase, headers ...string) (*http.Response, []byte, error) {
	req, err := http.NewRequest(c.method, base+c.path, bytes.NewReader(c.body))
	if err != nil {
		return nil, nil, err
	}
	if c.ctype != "" {
		req.Header.Set("Content-Type", c.ctype)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// TestWorkerd serves the bundle under workerd and sends it every request
// case, then a load of requests at concurrency 16.
func TestWorkerd(t *testing.T) {
	w := startWorkerd(t, workerd.Options{})
	base, proc := w.base, w.proc
	client := &http.Client{Timeout: 30 * time.Second}
	native := nativeModel(t)
	cases := requestCases(t)
	if workerd.MaxBody != MaxBody {
		t.Errorf("the entry module reads bodies up to %d bytes, the handler's largest limit is %d", workerd.MaxBody, MaxBody)
	}
	start := time.Now()
	resp, body, err := send(client, base, cases[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first request (Go starts, the model is planned): %v", time.Since(start).Round(time.Millisecond))
	checkResponse(t, cases[0], resp, body, native)
	if h := getHealth(t, client, base); h.Kernel != "wasm-relaxed-simd-4x8" {
		t.Errorf("/healthz names the kernel %q, want the relaxed SIMD one", h.Kernel)
	}
	for _, c := range cases {
		resp, body, err := send(client, base, c)
		if err != nil {
			t.Errorf("%s: %v", c.desc, err)
			continue
		}
		checkResponse(t, c, resp, body, native)
	}

	// Latency, one request at a time, and CPU per request.
	strokes := cases[0]
	var lat []time.Duration
	cpu0 := workerd.ProcessCPU(proc.Pid)
	const seq = 200
	for i := 0; i < seq; i++ {
		s := time.Now()
		resp, _, err := send(client, base, strokes)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("request %d: %v %v", i, err, resp)
		}
		lat = append(lat, time.Since(s))
	}
	cpu := workerd.ProcessCPU(proc.Pid) - cpu0
	if resp, _, err := send(client, base, strokes); err == nil {
		t.Logf("Server-Timing of a strokes request: %s", resp.Header.Get("Server-Timing"))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	t.Logf("sequential strokes requests: median %v, p99 %v; workerd CPU %.2f ms per request",
		lat[len(lat)/2].Round(10*time.Microsecond), lat[len(lat)*99/100].Round(10*time.Microsecond), float64(cpu)/float64(time.Millisecond)/seq)

	// Load: a few thousand requests of mixed kinds at concurrency 16.
	const total, conc = 3000, 16
	mix := []reqCase{}
	for _, c := range cases {
		if c.status == 200 && c.path == "/predict" {
			mix = append(mix, c)
		}
	}
	var mu sync.Mutex
	var errs []string
	var all []time.Duration
	next := make(chan int)
	var wg sync.WaitGroup
	loadStart := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c := mix[i%len(mix)]
				s := time.Now()
				resp, _, err := send(client, base, c)
				d := time.Since(s)
				mu.Lock()
				all = append(all, d)
				if err != nil {
					errs = append(errs, err.Error())
				} else if resp.StatusCode != 200 {
					errs = append(errs, fmt.Sprintf("status %d", resp.StatusCode))
				}
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < total; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	elapsed := time.Since(loadStart)
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	t.Logf("load: %d requests at concurrency %d in %v (%.0f requests/s): median %v, p99 %v, errors %d",
		total, conc, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds(),
		all[len(all)/2].Round(10*time.Microsecond), all[len(all)*99/100].Round(10*time.Microsecond), len(errs))
	if len(errs) > 0 {
		t.Errorf("%d errors under load, first: %s", len(errs), errs[0])
	}
}

// TestWorkerdUnderAttack sends workerd slow bodies, oversized bodies and
// image bombs while normal requests go on: every normal request must still
// succeed and every hostile one get its refusal.
func TestWorkerdUnderAttack(t *testing.T) {
	base := startWorkerd(t, workerd.Options{}).base
	addr := strings.TrimPrefix(base, "http://")
	client := &http.Client{Timeout: 30 * time.Second}
	cases := requestCases(t)
	var hostile []reqCase
	for _, c := range cases {
		if c.status == 413 || c.status == 400 {
			hostile = append(hostile, c)
		}
	}
	normal := cases[0]

	// Slow bodies: a few connections trickle a valid JSON body over seconds.
	body := mustJSON(map[string]any{"strokes": penDigits(t)[0].Strokes})
	var wg sync.WaitGroup
	slowStatus := make([]int, 4)
	for s := range slowStatus {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				return
			}
			defer c.Close()
			fmt.Fprintf(c, "POST /predict HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", addr, len(body))
			for i := 0; i < len(body); i += len(body)/20 + 1 {
				c.Write(body[i:min(i+len(body)/20+1, len(body))])
				time.Sleep(100 * time.Millisecond)
			}
			c.SetReadDeadline(time.Now().Add(20 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err == nil {
				slowStatus[s] = resp.StatusCode
				resp.Body.Close()
			}
		}()
	}
	// Meanwhile: normal requests and every hostile one, 8 at a time.
	var mu sync.Mutex
	var lat []time.Duration
	failures := 0
	jobs := make(chan reqCase)
	var workers sync.WaitGroup
	for w := 0; w < 8; w++ {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for c := range jobs {
				s := time.Now()
				resp, _, err := send(client, base, c)
				mu.Lock()
				if err != nil || resp.StatusCode != c.status {
					failures++
					if err == nil {
						t.Errorf("%s: status %d, want %d", c.desc, resp.StatusCode, c.status)
					} else {
						t.Errorf("%s: %v", c.desc, err)
					}
				} else if c.status == 200 {
					lat = append(lat, time.Since(s))
				}
				mu.Unlock()
			}
		}()
	}
	for round := 0; round < 10; round++ {
		for _, h := range hostile {
			jobs <- h
			jobs <- normal
		}
	}
	close(jobs)
	workers.Wait()
	wg.Wait()
	for i, s := range slowStatus {
		if s != 200 {
			t.Errorf("slow body %d: status %d, want 200", i, s)
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	t.Logf("under attack: %d hostile requests refused as expected, %d normal ones answered (median %v, p99 %v), %d slow bodies answered, %d failures",
		10*len(hostile), len(lat), lat[len(lat)/2].Round(10*time.Microsecond), lat[len(lat)*99/100].Round(10*time.Microsecond), len(slowStatus), failures)
}
