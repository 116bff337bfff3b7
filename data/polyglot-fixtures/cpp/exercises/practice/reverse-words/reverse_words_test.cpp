#include "reverse_words.h"

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
    EXPECT_EQ(reverse_words::reverse("one"), "one");
    EXPECT_EQ(reverse_words::reverse("the quick fox"), "fox quick the");
#if defined(EXERCISM_RUN_ALL_TESTS)
    EXPECT_EQ(reverse_words::reverse(""), "");
    EXPECT_EQ(reverse_words::reverse("a  b"), "b a");
#endif
    std::printf("%d failure(s)\n", failures);
    return failures == 0 ? 0 : 1;
}
