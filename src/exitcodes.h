/* exitcodes.h - tcpfsm's documented exit statuses (see tcpfsm(1)). */
#ifndef TCPFSM_EXITCODES_H
#define TCPFSM_EXITCODES_H

enum {
    EXIT_ALL_READ = 0,      /* the whole input was read and reported */
    EXIT_DAMAGED = 1,       /* input damaged; everything readable was reported */
    EXIT_USAGE = 2,         /* bad command line, or input that cannot be opened */
    EXIT_OUTPUT = 3,        /* the report could not be written (disk full, ...) */
    EXIT_INTERRUPTED = 4,   /* reading a file was interrupted by a signal; what
                               was read is reported */
};

#endif
