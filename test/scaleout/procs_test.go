package scaleout

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mosaic-intel/mosaic/internal/gen"
	"github.com/mosaic-intel/mosaic/internal/ingest"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/worker"
)

// buildMosaic builds the mosaic command into a temporary directory.
func buildMosaic(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mosaic")
	cmd := exec.Command("go", "build", "-o", bin, "../../cmd/mosaic")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build mosaic: %v\n%s", err, out)
	}
	return bin
}

// proc is a `mosaic worker` process.
type proc struct {
	id   string
	cmd  *exec.Cmd
	done chan struct{}
}

// spawn starts a worker process.
func (d *deployment) spawn(t *testing.T, bin, id string, extra ...string) *proc {
	t.Helper()
	args := append([]string{"worker", "--postgres", d.db, "--nats", d.nats.URL(), "--replicas", "3", "--namespace", d.namespace,
		"--id", id, "--lease-ttl", "3s", "--ack-wait", "10s"}, extra...)
	cmd := exec.Command(bin, args...)
	logf, err := os.Create(filepath.Join(t.TempDir(), id+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{id: id, cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	t.Cleanup(func() { p.stop(syscall.SIGKILL) })
	return p
}

// stop sends sig and waits for the process to exit.
func (p *proc) stop(sig syscall.Signal) {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// TestKilledWorkerProcesses (MOSAIC_LONG=1) runs a larger world through
// three worker processes and SIGKILLs the holder of the resolve stage and
// then the holder of the rules stage (the alert engine's memory) while
// they work; two replacements
// start. The result must equal the embedded pipeline's.
func TestKilledWorkerProcesses(t *testing.T) {
	if !long() {
		t.Skip("MOSAIC_LONG=1 runs worker processes killed with SIGKILL")
	}
	ctx := context.Background()
	world := filepath.Join(t.TempDir(), "world")
	if _, err := gen.Generate(ctx, gen.Options{Out: world, People: 800, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	bin := buildMosaic(t)
	want := embedded(ctx, t, world)
	d := newDeployment(ctx, t)
	procs := map[string]*proc{}
	for _, id := range []string{"p1", "p2", "p3"} {
		procs[id] = d.spawn(t, bin, id)
	}
	sum, err := ingest.New(d.store, d.pipe, ingest.Options{BatchSize: 200}).Ingest(ctx, inputs(world))
	if err != nil {
		t.Fatal(err)
	}
	last := sum.LastSeq
	for i, stage := range []string{pipeline.Resolve, pipeline.Rules} {
		d.waitFor(ctx, stage+" to start", func() bool { return d.progress(ctx, stage, last) > 0 })
		holder, _, err := worker.Holder(ctx, d.store.(dber).DB(), stage)
		if err != nil {
			t.Fatal(err)
		}
		id := strings.TrimPrefix(holder, worker.AppPrefix)
		p := procs[id]
		if p == nil {
			t.Fatalf("no process %s holds %s", id, stage)
		}
		t.Logf("SIGKILL %s (%s holder) at %s %d/%d", id, stage, stage, d.progress(ctx, stage, last), sum.Added)
		p.stop(syscall.SIGKILL)
		delete(procs, id)
		nid := "r" + strconv.Itoa(i+1)
		procs[nid] = d.spawn(t, bin, nid)
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if err := d.pipe.Wait(wctx, last, nil); err != nil {
		t.Fatalf("pipeline did not finish: %v", err)
	}
	for _, p := range procs {
		p.stop(syscall.SIGTERM)
	}
	compare(t, take(ctx, t, d.store), want)
}

// TestScalingThroughput (MOSAIC_SCALING=1) measures the pipeline's
// throughput with 1, 2 and 4 worker processes on the same backlog: the
// world is ingested first with no worker running, then the workers start
// and the clock runs until every stage has finished every item. With
// MOSAIC_SCALING_PROFILE=DIR each worker writes a CPU profile there.
// Figures go to docs/benchmarks/scaling.md.
func TestScalingThroughput(t *testing.T) {
	if os.Getenv("MOSAIC_SCALING") != "1" {
		t.Skip("MOSAIC_SCALING=1 measures throughput with 1, 2 and 4 worker processes")
	}
	ctx := context.Background()
	people := 2000
	if v, err := strconv.Atoi(os.Getenv("MOSAIC_SCALING_PEOPLE")); err == nil && v > 0 {
		people = v
	}
	world := filepath.Join(t.TempDir(), "world")
	if _, err := gen.Generate(ctx, gen.Options{Out: world, People: people, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	paths := inputs(world)
	if k, err := strconv.Atoi(os.Getenv("MOSAIC_SCALING_DOCS")); err == nil && k > 0 {
		// Documents only: the reports of k worlds (extraction dominates).
		paths = nil
		for i := range k {
			w := filepath.Join(t.TempDir(), fmt.Sprintf("world%d", i))
			if _, err := gen.Generate(ctx, gen.Options{Out: w, People: people, Seed: uint64(100 + i)}); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, filepath.Join(w, "reports"))
		}
	}
	bin := buildMosaic(t)
	counts := []int{1, 2, 4}
	if v := os.Getenv("MOSAIC_SCALING_WORKERS"); v != "" {
		counts = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(f)
			if err != nil {
				t.Fatal(err)
			}
			counts = append(counts, n)
		}
	}
	profDir := os.Getenv("MOSAIC_SCALING_PROFILE")
	t.Logf("GOMAXPROCS %d, %d people", runtime.GOMAXPROCS(0), people)
	t.Logf("| workers | items | documents | seconds | items/s | extract done | screen done | resolve done | link done | rules done | machine CPU busy | workers' CPU | NATS cluster (test process) CPU | PostgreSQL CPU | other processes' CPU |")
	for _, n := range counts {
		t.Run(fmt.Sprintf("workers=%d", n), func(t *testing.T) {
			d := newDeployment(ctx, t)
			sum, err := ingest.New(d.store, d.pipe, ingest.Options{}).Ingest(ctx, paths)
			if err != nil {
				t.Fatal(err)
			}
			last := sum.LastSeq
			start := time.Now()
			load, _ := os.ReadFile("/proc/loadavg")
			t.Logf("load average before the run: %s", strings.Join(strings.Fields(string(load))[:3], " "))
			busy0, total0 := cpuTimes(t)
			self0 := selfCPU(t)
			pg0 := processCPU("postgres")
			var procs []*proc
			for i := range n {
				var extra []string
				if profDir != "" {
					extra = []string{"--cpuprofile", filepath.Join(profDir, fmt.Sprintf("worker-%d-of-%d.pprof", i+1, n))}
				}
				procs = append(procs, d.spawn(t, bin, fmt.Sprintf("b%d", i+1), extra...))
			}
			var mu sync.Mutex
			finished := map[string]time.Duration{}
			d.waitFor(ctx, "the pipeline", func() bool {
				all := true
				for _, st := range pipeline.Order {
					mu.Lock()
					_, ok := finished[st]
					mu.Unlock()
					if ok {
						continue
					}
					if d.progress(ctx, st, last) >= int64(sum.Added) {
						mu.Lock()
						finished[st] = time.Since(start)
						mu.Unlock()
						continue
					}
					all = false
				}
				return all
			})
			took := time.Since(start)
			busy1, total1 := cpuTimes(t)
			self1 := selfCPU(t)
			pg1 := processCPU("postgres")
			var workersCPU time.Duration
			for _, p := range procs {
				p.stop(syscall.SIGTERM)
				workersCPU += p.cmd.ProcessState.UserTime() + p.cmd.ProcessState.SystemTime()
			}
			sec := func(st string) string { return fmt.Sprintf("%.1f s", finished[st].Seconds()) }
			machine := time.Duration(float64(busy1-busy0) / float64(total1-total0) * float64(runtime.NumCPU()) * float64(took))
			t.Logf("| %d | %d | %d | %.1f | %.0f | %s | %s | %s | %s | %s | %.0f%% | %.1f s | %.1f s | %.1f s | %.1f s |", n, sum.Added, sum.Documents, took.Seconds(), float64(sum.Added)/took.Seconds(),
				sec(pipeline.Extract), sec(pipeline.Screen), sec(pipeline.Resolve), sec(pipeline.Link), sec(pipeline.Rules), 100*float64(busy1-busy0)/float64(total1-total0),
				workersCPU.Seconds(), (self1 - self0).Seconds(), cpuDelta(pg0, pg1).Seconds(), (machine - workersCPU - (self1 - self0) - cpuDelta(pg0, pg1)).Seconds())
		})
	}
}

// cpuTimes returns the machine's busy and total CPU time in clock ticks
// (from /proc/stat: every process, PostgreSQL and NATS included).
func cpuTimes(t *testing.T) (busy, total int64) {
	t.Helper()
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		t.Skipf("no /proc/stat: %v", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	for i, f := range strings.Fields(line)[1:] {
		v, _ := strconv.ParseInt(f, 10, 64)
		total += v
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	return busy, total
}

// selfCPU returns the CPU time this process (the test, with the NATS
// cluster inside it) has used.
func selfCPU(t *testing.T) time.Duration {
	t.Helper()
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		t.Skipf("no /proc/self/stat: %v", err)
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseInt(fields[11], 10, 64)
	st, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

// processCPU returns the CPU time used so far by each running process
// whose command name is name, by pid.
func processCPU(name string) map[string]time.Duration {
	out := map[string]time.Duration{}
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range dirs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open || s[open+1:end] != name {
			continue
		}
		fields := strings.Fields(s[end+2:])
		ut, _ := strconv.ParseInt(fields[11], 10, 64)
		st, _ := strconv.ParseInt(fields[12], 10, 64)
		out[p] = time.Duration(ut+st) * time.Second / 100
	}
	return out
}

// cpuDelta sums, over the processes running at the end, the CPU time used
// since the start (all of it for processes started since).
func cpuDelta(start, end map[string]time.Duration) time.Duration {
	var d time.Duration
	for pid, v := range end {
		d += v - start[pid]
	}
	return d
}
