// Command heapbench builds a Go heap of about N objects and times the
// runtime's own writer, runtime/debug.WriteHeapDump, on it: the time taken
// inside this process around the call, REPS times per target, targets
// interleaved. Each target is opened with os.Create (O_TRUNC) before each
// call, untimed. It also writes one dump to -dump, untimed, for hdump's side
// of bench/vs-go.sh (hdump_rewrite_timer re-emits exactly those bytes).
//
//	heapbench -n 1000000 -reps 5 -dump heap.dump /dev/null out.dump
//
// Output, one line per target (the same shape as hdump_rewrite_timer's):
//
//	go target=T bytes=N objects=K reps=R median_s=.. min_s=.. max_s=.. mbps=..
//
// The heap: linked nodes with byte payloads of 8-128 bytes, pointer slices,
// interface values of four concrete types, a map, 100 parked goroutines and
// 1000 objects with finalizers. Stdlib only; Go 1.19 and later.
package main

import (
	"flag"
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"time"
)

type node struct {
	next    *node
	val     int
	payload []byte
	iface   interface{}
}

type small struct{ a, b int }
type pair struct {
	x, y *node
}
type label string

type heap struct {
	heads []*node
	slabs [][]*node
	m     map[int]*node
	fins  []*pair
}

// build allocates until about n objects are live; it counts its own
// allocations (the runtime's HeapObjects is reported after a GC).
func build(n int, r *rand.Rand) *heap {
	h := &heap{m: make(map[int]*node)}
	var count int
	var head *node
	for count < n {
		nd := &node{next: head, val: count}
		count++
		nd.payload = make([]byte, 8+r.Intn(121))
		nd.payload[0] = byte(count)
		count++
		switch count % 16 {
		case 1:
			nd.iface = &small{count, count}
			count++
		case 3:
			nd.iface = label("x")
		case 5:
			nd.iface = &pair{nd, head}
			count++
		}
		if count%8 == 0 {
			s := make([]*node, 4+r.Intn(29))
			for i := range s {
				if i%3 == 0 {
					s[i] = nd
				}
			}
			h.slabs = append(h.slabs, s)
			count++
		}
		if count%50 == 0 {
			h.m[count] = nd
		}
		head = nd
		if count%100000 < 3 {
			h.heads = append(h.heads, head)
			head = nil
		}
	}
	h.heads = append(h.heads, head)
	for i := 0; i < 1000; i++ {
		p := &pair{}
		runtime.SetFinalizer(p, func(*pair) {})
		h.fins = append(h.fins, p)
	}
	return h
}

func median(t []float64) float64 {
	s := append([]float64(nil), t...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func dumpTo(path string) (float64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	debug.WriteHeapDump(f.Fd())
	d := time.Since(t0).Seconds()
	return d, f.Close()
}

func main() {
	n := flag.Int("n", 1000000, "heap objects (approximately)")
	reps := flag.Int("reps", 5, "timed calls per target")
	dump := flag.String("dump", "", "also write one dump here (untimed)")
	flag.Parse()

	block := make(chan struct{})
	for i := 0; i < 100; i++ {
		go func() { <-block }()
	}
	h := build(*n, rand.New(rand.NewSource(1)))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)

	var size int64
	if *dump != "" {
		if _, err := dumpTo(*dump); err != nil {
			fmt.Fprintln(os.Stderr, "heapbench:", err)
			os.Exit(1)
		}
		st, err := os.Stat(*dump)
		if err != nil {
			fmt.Fprintln(os.Stderr, "heapbench:", err)
			os.Exit(1)
		}
		size = st.Size()
	}
	fmt.Fprintf(os.Stderr, "heapbench: %s, %d heap objects (HeapObjects), %d bytes live, dump %d bytes\n",
		runtime.Version(), ms.HeapObjects, ms.HeapAlloc, size)

	targets := flag.Args()
	times := make([][]float64, len(targets))
	for r := 0; r < *reps; r++ {
		for i, t := range targets {
			d, err := dumpTo(t)
			if err != nil {
				fmt.Fprintln(os.Stderr, "heapbench:", err)
				os.Exit(1)
			}
			times[i] = append(times[i], d)
		}
	}
	for i, t := range targets {
		s := append([]float64(nil), times[i]...)
		sort.Float64s(s)
		med := median(s)
		mbps := 0.0
		if size > 0 {
			mbps = float64(size) / med / 1e6
		}
		fmt.Printf("go target=%s bytes=%d objects=%d reps=%d median_s=%.6f min_s=%.6f max_s=%.6f mbps=%.1f\n",
			t, size, ms.HeapObjects, *reps, med, s[0], s[len(s)-1], mbps)
	}
	runtime.KeepAlive(h)
	close(block)
}
