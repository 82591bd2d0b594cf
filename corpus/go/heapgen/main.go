// Command heapgen builds a varied, mostly deterministic heap and writes it
// with runtime/debug.WriteHeapDump. It exists to produce test corpora for
// hdump: objects in every small size class plus a few large ones, maps,
// slices, interface values (itab/type records), linked structures, parked
// goroutines in many wait states, a goroutine parked inside a deferred call
// during a panic, registered and queued finalizers, and memory-profile
// records (memprof/alloc sample).
//
// Stdlib only; builds with Go 1.19 and later. Linux-only (uses syscall.Pipe).
package main

import (
	"flag"
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// ---- interface zoo: several concrete types behind interfaces ----

type Shape interface {
	Area() float64
	Name() string
}

type Circle struct{ R float64 }
type Rect struct{ W, H float64 }
type Poly struct {
	Pts   []float64
	Label *string
}
type Unit int

func (c Circle) Area() float64  { return 3.14159 * c.R * c.R }
func (c Circle) Name() string   { return "circle" }
func (r *Rect) Area() float64   { return r.W * r.H }
func (r *Rect) Name() string    { return "rect" }
func (p *Poly) Area() float64   { return float64(len(p.Pts)) }
func (p *Poly) Name() string    { return *p.Label }
func (u Unit) Area() float64    { return float64(u) }
func (u Unit) Name() string     { return "unit" }
func (u Unit) String() string   { return fmt.Sprintf("Unit(%d)", int(u)) }
func (c Circle) String() string { return "Circle" }

// ---- linked structures ----

type node struct {
	next  *node
	val   int
	extra []byte
}

type tree struct {
	left, right *tree
	key         int
	payload     interface{}
}

func buildTree(r *rand.Rand, depth int) *tree {
	if depth == 0 {
		return nil
	}
	t := &tree{key: r.Intn(1 << 20)}
	if depth%3 == 0 {
		t.payload = Unit(depth)
	} else if depth%3 == 1 {
		t.payload = fmt.Sprintf("leaf-%d", t.key)
	}
	t.left = buildTree(r, depth-1)
	t.right = buildTree(r, depth-1)
	return t
}

// finObj is what finalizers are attached to (>=16 bytes and pointerful so it
// is never a tiny allocation).
type finObj struct {
	id   int
	self *finObj
	buf  [4]uint64
}

// Size classes of the Go allocator (1.19..1.23 share these up to 32 KiB).
var sizeClasses = []int{
	8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224,
	240, 256, 288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768,
	896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200,
	3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240,
	10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576,
	27264, 28672, 32768,
}

// heap holds everything that must stay reachable until after the dump.
type heap struct {
	noscan   [][]byte
	ptrs     [][]*node
	lists    []*node
	trees    []*tree
	maps1    map[int]string
	maps2    map[string]*node
	maps3    map[int][]int
	shapes   []Shape
	strs     []fmt.Stringer
	efaces   []interface{}
	strings  []string
	ints     [][]int
	large    [][]byte
	largePtr [][]*node
	live     []*finObj
}

func fill(b []byte, seed int) {
	// compressible but not all zero
	for i := range b {
		b[i] = byte((i/8 + seed) % 61)
	}
}

func build(r *rand.Rand, scale int) *heap {
	h := &heap{}
	pool := make([]*node, 64)
	for i := range pool {
		pool[i] = &node{val: -i}
	}
	for ci, size := range sizeClasses {
		// noscan []byte objects in this class
		n := scale * (1 + 64/size)
		if size > 4096 && scale < 4 {
			// keep the small dump small: only a few of the big classes
			n = 0
			if size == 6144 {
				n = 1
			}
		}
		for i := 0; i < n; i++ {
			b := make([]byte, size)
			fill(b, ci+i)
			h.noscan = append(h.noscan, b)
		}
		// pointerful []*node objects in this class, pointing mostly into a
		// shared pool of nodes
		maxPtr := 8192
		if scale < 4 {
			maxPtr = 2048
		}
		if size <= maxPtr {
			m := scale * (1 + 128/size)
			for i := 0; i < m; i++ {
				p := make([]*node, size/8)
				for j := range p {
					switch {
					case (j+i)%61 == 0:
						p[j] = &node{val: j}
					case (j+i)%3 == 0:
						p[j] = pool[(i*7+j)%len(pool)]
					}
				}
				h.ptrs = append(h.ptrs, p)
			}
		}
	}
	// a few large (>32 KiB) objects, noscan and pointerful
	large := []int{33 * 1024}
	if scale >= 4 {
		large = append(large, 48*1024, 70000)
	}
	for i, sz := range large {
		b := make([]byte, sz)
		fill(b, i)
		h.large = append(h.large, b)
	}
	for i := 0; i < scale; i++ {
		p := make([]*node, 4200) // 33600 bytes, pointerful large object
		for j := 0; j < len(p); j += 97 {
			p[j] = &node{val: j}
		}
		h.largePtr = append(h.largePtr, p)
	}
	// linked lists
	for l := 0; l < 2*scale; l++ {
		var head *node
		for i := 0; i < 30; i++ {
			head = &node{next: head, val: r.Intn(1000)}
			if i%5 == 0 {
				head.extra = make([]byte, 8+r.Intn(200))
			}
		}
		h.lists = append(h.lists, head)
	}
	// trees
	for t := 0; t < scale; t++ {
		h.trees = append(h.trees, buildTree(r, 6))
	}
	// maps
	h.maps1 = make(map[int]string)
	h.maps2 = make(map[string]*node)
	h.maps3 = make(map[int][]int)
	for i := 0; i < 80*scale; i++ {
		k := r.Intn(1 << 30)
		h.maps1[k] = fmt.Sprintf("v%d", k)
		h.maps2[fmt.Sprintf("k%d", i)] = &node{val: i}
		if i%4 == 0 {
			h.maps3[i] = make([]int, 1+r.Intn(30))
		}
	}
	// strings and int slices
	for i := 0; i < 60*scale; i++ {
		h.strings = append(h.strings, fmt.Sprintf("string number %d %x", i, r.Int63()))
		if i%3 == 0 {
			h.ints = append(h.ints, make([]int, 1+r.Intn(100)))
		}
	}
	// interface values: several concrete types behind Shape / Stringer / any
	label := "poly"
	for i := 0; i < 60*scale; i++ {
		var s Shape
		switch i % 4 {
		case 0:
			s = Circle{R: float64(i)}
		case 1:
			s = &Rect{W: float64(i), H: 2}
		case 2:
			s = &Poly{Pts: make([]float64, 1+i%7), Label: &label}
		case 3:
			s = Unit(i)
		}
		h.shapes = append(h.shapes, s)
		// dynamic conversion through an interface type assertion
		if st, ok := interface{}(s).(fmt.Stringer); ok {
			h.strs = append(h.strs, st)
		}
		switch i % 5 {
		case 0:
			h.efaces = append(h.efaces, i)
		case 1:
			h.efaces = append(h.efaces, fmt.Sprint("e", i))
		case 2:
			h.efaces = append(h.efaces, &node{val: i})
		case 3:
			h.efaces = append(h.efaces, s)
		case 4:
			h.efaces = append(h.efaces, []byte("bytes"))
		}
	}
	return h
}

// ---- goroutines parked in many states ----

var (
	block    = make(chan struct{}) // never closed before the dump
	finBlock = make(chan struct{}) // finalizers block on it
	stop     int32
	mu       sync.Mutex
	condMu   sync.Mutex
	cond     = sync.NewCond(&condMu)
)

func deep(n int, f func()) {
	if n == 0 {
		f()
		return
	}
	var pad [16]uintptr
	pad[n%16] = uintptr(n)
	deep(n-1, f)
	runtime.KeepAlive(pad)
}

func startGoroutines(scale int, ready *sync.WaitGroup) (cleanup func()) {
	spawn := func(f func()) {
		ready.Add(1)
		go func() { ready.Done(); f() }()
	}
	ch := make(chan int)
	ch2 := make(chan string)
	full := make(chan int) // unbuffered: send blocks
	var nilch chan int
	var wg sync.WaitGroup
	wg.Add(1)

	n := 2 * scale
	for i := 0; i < n; i++ {
		i := i
		spawn(func() { deep(i%5, func() { <-ch }) })      // chan receive
		spawn(func() { deep(i%3, func() { full <- i }) }) // chan send
		spawn(func() { mu.Lock(); mu.Unlock() })          // sync.Mutex
		spawn(func() {
			select {
			case <-ch:
			case s := <-ch2:
				_ = s
			}
		}) // select
		spawn(func() { time.Sleep(time.Hour) })                       // sleep
		spawn(func() { condMu.Lock(); cond.Wait(); condMu.Unlock() }) // sync.Cond
	}
	spawn(func() { wg.Wait() }) // WaitGroup
	spawn(func() { <-nilch })   // nil channel, parks forever
	spawn(func() { select {} }) // empty select
	mu.Lock()                   // held across the dump

	// blocking read(2) on a raw pipe: goroutine in a syscall
	var p [2]int
	if err := syscall.Pipe(p[:]); err == nil {
		spawn(func() {
			buf := make([]byte, 16)
			syscall.Read(p[0], buf)
		})
	}
	// netpoller read on an os.Pipe: IO wait
	pr, pw, err := os.Pipe()
	if err == nil {
		spawn(func() {
			buf := make([]byte, 16)
			pr.Read(buf)
		})
	}
	// a busy goroutine that should be runnable when the world stops
	spawn(func() {
		for atomic.LoadInt32(&stop) == 0 {
			runtime.Gosched()
		}
	})
	// panicking goroutines parked inside a deferred call
	spawn(func() {
		defer func() { <-block }() // open-coded defer (Go >= 1.14)
		panic("heapgen: parked in defer (open-coded)")
	})
	spawn(func() {
		for i := 0; i < 1; i++ { // defer in a loop: heap/stack _defer record
			defer func() { <-block }()
		}
		panic(fmt.Errorf("heapgen: parked in defer (loop)"))
	})
	return func() {
		atomic.StoreInt32(&stop, 1)
		mu.Unlock()
		wg.Done()
		if err == nil {
			pw.Close()
			pr.Close()
		}
		if p[1] != 0 {
			syscall.Write(p[1], []byte("x"))
		}
	}
}

// ---- finalizers ----

func blockingFinalizer(f *finObj) {
	<-finBlock
	_ = f
}

func setupFinalizers(scale int) []*finObj {
	var live []*finObj
	for i := 0; i < 5*scale; i++ {
		f := &finObj{id: i}
		f.self = f
		runtime.SetFinalizer(f, blockingFinalizer)
		live = append(live, f)
	}
	for i := 0; i < 10*scale; i++ {
		f := &finObj{id: 1000 + i}
		runtime.SetFinalizer(f, func(f *finObj) { <-finBlock; _ = f })
	}
	return live
}

// warmUpProfiler makes the low MemProfileRate take effect at once. Each P's
// mcache drew its first sampling distance from the default rate (512 KiB
// on average) before main ran; allocating a few MiB of garbage on every P
// uses that distance up, after which samples are drawn at MemProfileRate.
func warmUpProfiler() {
	var wg sync.WaitGroup
	for g := 0; g < 2*runtime.GOMAXPROCS(0); g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var sink *[64]byte
			for i := 0; i < 1<<16; i++ { // 4 MiB in 64-byte objects
				sink = new([64]byte)
				if i%1024 == 0 {
					runtime.Gosched()
				}
			}
			runtime.KeepAlive(sink)
		}()
	}
	wg.Wait()
	runtime.GC()
}

func main() {
	runtime.MemProfileRate = 512
	out := flag.String("o", "heapgen.dump", "output heap dump path")
	scale := flag.Int("scale", 1, "multiplier for object counts")
	seed := flag.Int64("seed", 1, "random seed")
	flag.Parse()
	if *scale < 1 {
		*scale = 1
	}
	// Reference runtime.MemProfile so the linker keeps memory profiling on.
	runtime.MemProfile(nil, true)
	warmUpProfiler()

	r := rand.New(rand.NewSource(*seed))
	h := build(r, *scale)
	h.live = setupFinalizers(*scale)

	var ready sync.WaitGroup
	cleanup := startGoroutines(*scale, &ready)
	ready.Wait()

	// Make the unreachable finalizer objects queue up; the first finalizer
	// blocks on finBlock, so the rest stay in the queue.
	runtime.GC()
	runtime.GC()
	time.Sleep(200 * time.Millisecond) // let goroutines park
	debug.FreeOSMemory()
	runtime.GC()

	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "heapgen:", err)
		os.Exit(1)
	}
	debug.WriteHeapDump(f.Fd())
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "heapgen:", err)
		os.Exit(1)
	}
	runtime.KeepAlive(h)
	cleanup()
}
