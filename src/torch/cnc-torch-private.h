/* cnc-torch-private.h
 * In-tree API of the libtorch shim: turning C++ exceptions into GErrors.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cnc-torch.h"

#ifdef __cplusplus
#include <exception>
#endif

G_BEGIN_DECLS

/* The message a user should see from an exception's what(): the last meaningful line of a
 * TorchScript traceback (or the first line of a compile error), without libtorch's
 * "Exception raised from ..." trailer. Never NULL. */
char *_cnc_torch_clean_message (const char *what);

G_END_DECLS

#ifdef __cplusplus
/* Sets @error from the exception @ep (c10::Error, std::exception or anything else),
 * prefixed with @path. */
void _cnc_torch_set_error (GError           **error,
                           const char        *path,
                           std::exception_ptr ep) noexcept;
#endif
