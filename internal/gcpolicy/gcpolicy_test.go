package gcpolicy

import (
	"os"
	"runtime"
	"runtime/debug"
	"testing"
)

// keep restores the collector's settings and the environment after t.
func keep(t *testing.T) {
	pct := debug.SetGCPercent(100)
	debug.SetGCPercent(pct)
	lim := debug.SetMemoryLimit(-1)
	t.Cleanup(func() {
		debug.SetGCPercent(pct)
		debug.SetMemoryLimit(lim)
	})
	for _, k := range []string{"GOGC", "GOMEMLIMIT"} {
		if v, ok := os.LookupEnv(k); ok {
			t.Cleanup(func() { os.Setenv(k, v) })
		} else {
			t.Cleanup(func() { os.Unsetenv(k) })
		}
	}
}

func TestApplyDefaults(t *testing.T) {
	keep(t)
	os.Unsetenv("GOGC")
	os.Unsetenv("GOMEMLIMIT")
	debug.SetGCPercent(100)
	p := Apply()
	if p.GCPercent != Percent {
		t.Errorf("policy GC percent %d, want %d", p.GCPercent, Percent)
	}
	if got := debug.SetGCPercent(Percent); got != Percent {
		t.Errorf("GC percent in force %d, want %d", got, Percent)
	}
	if runtime.GOOS == "linux" && p.MemoryLimit <= 0 {
		t.Errorf("no memory limit set on Linux: %+v", p)
	}
	if p.MemoryLimit > 0 {
		if got := debug.SetMemoryLimit(-1); got != p.MemoryLimit {
			t.Errorf("memory limit in force %d, want %d", got, p.MemoryLimit)
		}
		if p.MemoryLimit > physical() && physical() > 0 {
			t.Errorf("memory limit %d above the machine's memory %d", p.MemoryLimit, physical())
		}
	}
}

func TestApplyLeavesEnvironmentAlone(t *testing.T) {
	keep(t)
	os.Setenv("GOGC", "50")
	os.Setenv("GOMEMLIMIT", "1GiB")
	debug.SetGCPercent(50)
	debug.SetMemoryLimit(1 << 30)
	if p := Apply(); p != (Policy{}) {
		t.Errorf("Apply with GOGC and GOMEMLIMIT set changed %+v", p)
	}
	if got := debug.SetGCPercent(50); got != 50 {
		t.Errorf("GC percent %d, want the environment's 50", got)
	}
	if got := debug.SetMemoryLimit(-1); got != 1<<30 {
		t.Errorf("memory limit %d, want the environment's 1 GiB", got)
	}
}
