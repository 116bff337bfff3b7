#include "clamp_range.h"

#include <cstdio>
static int failures = 0;
#define EXPECT_EQ(actual, expected)                                                        \
    do {                                                                                   \
        if (!((actual) == (expected))) {                                                   \
            std::printf("FAILED line %d: %s == %s\n", __LINE__, #actual, #expected);      \
            ++failures;                                                                    \
        } else {                                                                           \
            std::printf("passed: %s\n", #actual);                                         \
        }                                                                                  \
    } while (0)

int main() {
    EXPECT_EQ(clamp_range::clamp(5, 0, 10), 5);
    EXPECT_EQ(clamp_range::clamp(12, 0, 10), 10);
#if defined(EXERCISM_RUN_ALL_TESTS)
    EXPECT_EQ(clamp_range::clamp(-3, 0, 10), 0);
#endif
    std::printf("%d failure(s)\n", failures);
    return failures == 0 ? 0 : 1;
}
