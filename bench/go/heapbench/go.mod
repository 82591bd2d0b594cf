module hdump.example/bench/heapbench

go 1.19
