/* bench-util.h
 * What the bench programs share: finding their Python reference script, the clock, reading arrays.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* bench/@name: in $CNC_BENCH_DIR, else found by walking up from this program (build folders sit in
 * the source tree: build/bench/bench-x → bench/bench_x.py). Exits with a message when not found. */
char    *bench_find_script (const char *name);

/* Monotonic seconds. */
double   bench_now         (void);

/* The file @dir/@name, which must be exactly @size bytes long (exits with a message otherwise). */
gpointer bench_read_exact  (const char *dir,
                            const char *name,
                            gsize       size);

G_END_DECLS
