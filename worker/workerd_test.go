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
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"wasmcnn/internal/edge"
)

// MaxBundleGzip is the Workers free plan's limit on a compressed upload (3 MB).
const MaxBundleGzip = 3_000_000

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

// TestWorkerdUnderAttack sends workerd slow bodies, oversized bodies and
// image bombs while normal requests go on: every normal request must still
// succeed and every hostile one get its refusal.
func TestWorkerdUnderAttack(t *testing.T) {
	base, _ := startWorkerd(t)
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
