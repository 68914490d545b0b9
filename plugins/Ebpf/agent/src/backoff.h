#ifndef EBPF_AGENT_BACKOFF_H
#define EBPF_AGENT_BACKOFF_H

/* Delay in seconds before retry number `failures` (1-based): base * 2^(failures-1), capped at max,
 * then reduced by up to 20% of jitter (jitter01 in [0,1)) so that many agents do not retry in step. */
double backoff_delay(int failures, double base, double max, double jitter01);

#endif
