/* shared_data.h — where the tests find ../shared/data: $LF_SHARED_DATA when set (so a
 * checkout elsewhere can point at it), else the default tests/meson.build passes in
 * $LF_SHARED_DATA_DEFAULT (the folder beside the source tree). */
#ifndef LF_TEST_SHARED_DATA_H
#define LF_TEST_SHARED_DATA_H

#include <stdlib.h>

static inline const char *lf_test_shared_data(void)
{
    const char *d = getenv("LF_SHARED_DATA");
    return d && *d ? d : getenv("LF_SHARED_DATA_DEFAULT");
}

#endif
