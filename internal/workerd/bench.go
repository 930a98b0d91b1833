package workerd

import (
	"bytes"
	"context"
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
	"time"
)

// BenchRequest is one request the bench sends: a POST /predict body.
type BenchRequest struct {
	ContentType string
	Body        []byte
}

// BenchConfig says what the worker bench measures.
type BenchConfig struct {
	Root        string         // the repository
	Requests    []BenchRequest // sent in turn (real pen strokes)
	Warmup      int            // requests before the measurements (30)
	Sequential  int            // requests one at a time (≥ 2000)
	Concurrency int            // clients of the load phase (16)
	Duration    time.Duration  // length of the load phase (10 s)
	// Soak, if positive, sends SoakWarmup and then Soak more requests
	// through the one instance of the isolate entry, one at a time,
	// watching workerd's resident memory over the Soak requests and that
	// every answer stays what it was. workerd's own allocations take some
	// 25,000 requests to level off (even for a worker of one line).
	Soak, SoakWarmup int
	Log              io.Writer // progress, or nil
}

// BenchResult is what one bundle measured.
type BenchResult struct {
	Options               Options
	BundleRaw, BundleGzip int64
	StartToFirstMs        float64 // workerd launched → first answer
	FirstRequestMs        float64 // first request, sent once workerd listens
	CPUPerRequestMs       float64 // workerd's CPU (all threads) over the sequential requests
	MedianMs, P99Ms       float64 // of the sequential requests
	LoadRequests          int
	LoadPerSecond         float64
	LoadMedianMs          float64
	LoadP99Ms             float64
	Errors                int         // failed or non-200 requests in every phase
	ErrorSample           string      // the first failure
	Kernel                string      // from Server-Timing
	Soak                  *SoakResult `json:",omitempty"`
}

// SoakResult is the long run through one instance.
type SoakResult struct {
	Requests        int // measured, after Warmup
	Warmup          int
	Errors          int
	Changed         int   // answers that differ from the first answer to the same body
	RSSAfterWarmKiB int64 // workerd's resident memory once warm
	RSSPeakKiB      int64 // the most seen during the run
	RSSEndKiB       int64
	GrowthPercent   float64 // end over warm
	CPUPerRequestMs float64
}

// Bench builds each bundle, serves it under workerd on a free port and
// measures it; the bundles are measured one after the other in one run, so
// compare them with each other rather than with another run's figures.
func Bench(cfg BenchConfig, bundles []Options) ([]BenchResult, error) {
	if len(cfg.Requests) == 0 {
		return nil, fmt.Errorf("workerd: bench: no requests")
	}
	var out []BenchResult
	for _, opt := range bundles {
		r, err := benchOne(cfg, opt.withDefaults())
		if err != nil {
			return out, err
		}
		out = append(out, *r)
	}
	return out, nil
}

func (cfg BenchConfig) logf(format string, args ...any) {
	if cfg.Log != nil {
		fmt.Fprintf(cfg.Log, format+"\n", args...)
	}
}

func benchOne(cfg BenchConfig, opt Options) (*BenchResult, error) {
	dir, err := os.MkdirTemp("", "wasmcnn-worker-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	cfg.logf("building the bundle: %s entry, kernel %s…", opt.Label(), opt.Kernel)
	b, err := Build(cfg.Root, filepath.Join(dir, "build"), opt)
	if err != nil {
		return nil, err
	}
	res := &BenchResult{Options: opt}
	if res.BundleRaw, res.BundleGzip, err = b.Size(); err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd, err := b.Command(cfg.Root, addr)
	if err != nil {
		return nil, err
	}
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	launched := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}()
	if err := WaitListening(addr, 30*time.Second); err != nil {
		return nil, fmt.Errorf("%v\n%s", err, logs.String())
	}
	base := "http://" + addr
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	pid := cmd.Process.Pid
	fail := func(err error) {
		res.Errors++
		if res.ErrorSample == "" {
			res.ErrorSample = err.Error()
		}
	}

	s := time.Now()
	resp, err := send(client, base, cfg.Requests[0])
	res.FirstRequestMs = ms(time.Since(s))
	res.StartToFirstMs = ms(time.Since(launched))
	if err != nil {
		return nil, fmt.Errorf("workerd: bench: first request: %v\n%s", err, logs.String())
	}
	res.Kernel = kernelOf(resp.timing)

	for i := 0; i < cfg.Warmup; i++ {
		if _, err := send(client, base, cfg.Requests[i%len(cfg.Requests)]); err != nil {
			fail(err)
		}
	}

	cfg.logf("  %d sequential requests…", cfg.Sequential)
	lat := make([]time.Duration, 0, cfg.Sequential)
	cpu0 := ProcessCPU(pid)
	for i := 0; i < cfg.Sequential; i++ {
		s := time.Now()
		if _, err := send(client, base, cfg.Requests[i%len(cfg.Requests)]); err != nil {
			fail(err)
		}
		lat = append(lat, time.Since(s))
	}
	res.CPUPerRequestMs = ms(ProcessCPU(pid)-cpu0) / float64(cfg.Sequential)
	res.MedianMs, res.P99Ms = quantiles(lat)

	cfg.logf("  %d clients for %v…", cfg.Concurrency, cfg.Duration)
	var mu sync.Mutex
	var all []time.Duration
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Duration)
	defer cancel()
	var wg sync.WaitGroup
	loadStart := time.Now()
	for c := 0; c < cfg.Concurrency; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := c; ctx.Err() == nil; i += cfg.Concurrency {
				s := time.Now()
				_, err := send(client, base, cfg.Requests[i%len(cfg.Requests)])
				d := time.Since(s)
				mu.Lock()
				if err != nil {
					fail(err)
				} else {
					all = append(all, d)
				}
				mu.Unlock()
			}
		}(c)
	}
	wg.Wait()
	elapsed := time.Since(loadStart)
	res.LoadRequests = len(all)
	res.LoadPerSecond = float64(len(all)) / elapsed.Seconds()
	res.LoadMedianMs, res.LoadP99Ms = quantiles(all)

	if cfg.Soak > 0 && opt.Entry == EntryIsolate {
		cfg.logf("  %d + %d requests through one instance…", cfg.SoakWarmup, cfg.Soak)
		res.Soak = soak(cfg, client, base, pid)
		res.Errors += res.Soak.Errors
	}
	if res.Errors > 0 {
		cfg.logf("  %d errors, the first: %s\n%s", res.Errors, res.ErrorSample, tail(logs.String(), 2000))
	}
	return res, nil
}

// soak sends cfg.SoakWarmup and then cfg.Soak requests one at a time,
// sampling workerd's resident memory; the answers are compared with the
// first answer to each body.
func soak(cfg BenchConfig, client *http.Client, base string, pid int) *SoakResult {
	r := &SoakResult{Requests: cfg.Soak, Warmup: cfg.SoakWarmup}
	first := map[int][]byte{}
	var cpu0 time.Duration
	total := cfg.SoakWarmup + cfg.Soak
	for i := 0; i < total; i++ {
		if i == cfg.SoakWarmup {
			r.RSSAfterWarmKiB = ProcessRSSKiB(pid)
			cpu0 = ProcessCPU(pid)
		}
		k := i % len(cfg.Requests)
		resp, err := send(client, base, cfg.Requests[k])
		if err != nil {
			r.Errors++
			continue
		}
		if f, ok := first[k]; !ok {
			first[k] = resp.body
		} else if !bytes.Equal(f, resp.body) {
			r.Changed++
		}
		if i >= cfg.SoakWarmup && (i%500 == 0 || i == total-1) {
			rss := ProcessRSSKiB(pid)
			r.RSSPeakKiB = max(r.RSSPeakKiB, rss)
			r.RSSEndKiB = rss
		}
	}
	r.CPUPerRequestMs = ms(ProcessCPU(pid)-cpu0) / float64(cfg.Soak)
	if r.RSSAfterWarmKiB > 0 {
		r.GrowthPercent = 100 * float64(r.RSSEndKiB-r.RSSAfterWarmKiB) / float64(r.RSSAfterWarmKiB)
	}
	return r
}

type answer struct {
	body   []byte
	timing string
}

// send posts one request; a status other than 200 is an error.
func send(client *http.Client, base string, r BenchRequest) (*answer, error) {
	resp, err := client.Post(base+"/predict", r.ContentType, bytes.NewReader(r.Body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d: %s", resp.StatusCode, body)
	}
	return &answer{body: body, timing: resp.Header.Get("Server-Timing")}, nil
}

// kernelOf reads the kernel's name from a Server-Timing header.
func kernelOf(timing string) string {
	_, after, ok := strings.Cut(timing, `kernel;desc="`)
	if !ok {
		return "n/a" // a worker that does not say
	}
	name, _, _ := strings.Cut(after, `"`)
	return name
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// ProcessCPU returns the user and system CPU time of a process, all its
// threads, from /proc (in clock ticks of 10 ms).
func ProcessCPU(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * 10 * time.Millisecond
}

// ProcessRSSKiB returns a process's resident memory, in KiB.
func ProcessRSSKiB(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

func quantiles(d []time.Duration) (median, p99 float64) {
	if len(d) == 0 {
		return 0, 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return ms(s[len(s)/2]), ms(s[min(len(s)-1, len(s)*99/100)])
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
