/* hdump/hdump.h: umbrella header. Everything public is in the headers it
 * includes; each documents its part of the API once. */
#ifndef HDUMP_HDUMP_H
#define HDUMP_HDUMP_H

#include "hdump/alloc.h"
#include "hdump/convert.h"
#include "hdump/errors.h"
#include "hdump/export.h"
#include "hdump/gen.h"
#include "hdump/kernel.h"
#include "hdump/reader.h"
#include "hdump/record.h"
#include "hdump/scan.h"
#include "hdump/sink.h"
#include "hdump/validate.h"
#include "hdump/version.h"
#include "hdump/writer.h"

#endif /* HDUMP_HDUMP_H */
