// The unit test runner (doctest).  Every tests/unit/*.cpp file adds its TEST_CASEs.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
