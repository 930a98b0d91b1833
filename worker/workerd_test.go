//go:build !js

package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"wasmcnn/internal/edge"
)

// MaxBundleGzip is the Workers free plan's limit on a compressed upload.
const MaxBundleGzip = 3 << 20

// startWorkerd builds the bundle, starts it under workerd on a free port of
// 127.0.0.1 and returns the base URL and the process; it is stopped by PID
// when the test ends.
func startWorkerd(t *testing.T) (string, *os.Process) {
	t.Helper()
	root, _ := filepath.Abs("..")
	if _, err := edge.Workerd(root); err != nil {
		if os.Getenv("WASMCNN_REQUIRE_WORKERD") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	dir := filepath.Join(t.TempDir(), "build")
	if err := edge.BuildBundle(root, dir); err != nil {
		t.Fatal(err)
	}
	raw, gz, err := edge.BundleSize(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("bundle: %d bytes, %d gzip -9 (limit %d)", raw, gz, MaxBundleGzip)
	if gz >= MaxBundleGzip {
		t.Errorf("the bundle is %d bytes gzipped, over the %d limit", gz, MaxBundleGzip)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd, err := edge.Command(root, dir, addr)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
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
	if err := edge.WaitListening(addr, 30*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	return "http://" + addr, cmd.Process
}

func send(client *http.Client, base string, c reqCase) (*http.Response, []byte, error) {
	req, err := http.NewRequest(c.method, base+c.path, bytes.NewReader(c.body))
	if err != nil {
		return nil, nil, err
	}
	if c.ctype != "" {
		req.Header.Set("Content-Type", c.ctype)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// cpuTicks returns the user+system CPU time of a process, in clock ticks.
func cpuTicks(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return u + s
}

// TestWorkerd serves the bundle under workerd and sends it every request
// case, then a load of requests at concurrency 16.
func TestWorkerd(t *testing.T) {
	base, proc := startWorkerd(t)
	client := &http.Client{Timeout: 30 * time.Second}
	native := nativeModel(t)
	cases := requestCases(t)
	start := time.Now()
	resp, body, err := send(client, base, cases[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first request (module compile): %v", time.Since(start).Round(time.Millisecond))
	checkResponse(t, cases[0], resp, body, native)
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
	ticks0 := cpuTicks(proc.Pid)
	const seq = 200
	for i := 0; i < seq; i++ {
		s := time.Now()
		resp, _, err := send(client, base, strokes)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("request %d: %v %v", i, err, resp)
		}
		lat = append(lat, time.Since(s))
	}
	ticks := cpuTicks(proc.Pid) - ticks0
	if resp, _, err := send(client, base, strokes); err == nil {
		t.Logf("Server-Timing of a strokes request: %s", resp.Header.Get("Server-Timing"))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	t.Logf("sequential strokes requests: median %v, p99 %v; workerd CPU %.2f ms per request",
		lat[len(lat)/2].Round(10*time.Microsecond), lat[len(lat)*99/100].Round(10*time.Microsecond), float64(ticks)*10/seq)

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
