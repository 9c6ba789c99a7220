/* tests/fuzz/sanitizer_options.c - defaults for the fuzz targets' sanitizers
 * (linked by build.sh into the libFuzzer builds only).  UBSan is compiled
 * recoverable so that reported bugs can be suppressed while the fuzzer looks
 * for new ones (tests/fuzz/run.sh); every report still ends the run unless
 * suppressed.  UBSAN_OPTIONS and ASAN_OPTIONS in the environment override
 * these. */
const char *__ubsan_default_options(void);
const char *__asan_default_options(void);

const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1:report_error_type=1";
}

const char *__asan_default_options(void)
{
    return "detect_leaks=1:check_initialization_order=1:strict_string_checks=1";
}
