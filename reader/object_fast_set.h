/* reader/object_fast_set.h: the six instances of reader/object_fast.h for
 * one varint flavour (RDF_NAME(x) names them, RDF_ATTR and RDF_PEXT set by
 * reader/reader.c): lax or strict (RDF_STRICT) times memory or streaming
 * source (RDF_STREAM), each named RDF_NAME(<l|s><m|s>_object); and lax or
 * strict from memory, a run of objects into a lent pool (RDF_RUN,
 * reader.c's batches), named RDF_NAME(<l|s>b_object). */

#define RDF_RUN 0
#define RDF_STRICT 0
#define RDF_STREAM 0
#define RDF_(x) RDF_NAME(lm_##x)
#include "object_fast.h"
#undef RDF_
#undef RDF_STREAM
#define RDF_STREAM 1
#define RDF_(x) RDF_NAME(ls_##x)
#include "object_fast.h"
#undef RDF_
#undef RDF_STREAM
#undef RDF_STRICT

#define RDF_STRICT 1
#define RDF_STREAM 0
#define RDF_(x) RDF_NAME(sm_##x)
#include "object_fast.h"
#undef RDF_
#undef RDF_STREAM
#define RDF_STREAM 1
#define RDF_(x) RDF_NAME(ss_##x)
#include "object_fast.h"
#undef RDF_
#undef RDF_STREAM
#undef RDF_STRICT

#undef RDF_RUN
#define RDF_RUN 1
#define RDF_STREAM 0
#define RDF_STRICT 0
#define RDF_(x) RDF_NAME(lb_##x)
#include "object_fast.h"
#undef RDF_
#undef RDF_STRICT
#define RDF_STRICT 1
#define RDF_(x) RDF_NAME(sb_##x)
#include "object_fast.h"
#undef RDF_
#undef RDF_STRICT
#undef RDF_STREAM
#undef RDF_RUN
