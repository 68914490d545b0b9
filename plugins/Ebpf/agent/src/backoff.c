#include "backoff.h"

double backoff_delay(int failures, double base, double max, double jitter01)
{
	double d = base;
	int i;

	if (failures < 1)
		failures = 1;
	if (base <= 0)
		base = d = 1;
	for (i = 1; i < failures && d < max; i++)
		d *= 2;
	if (d > max)
		d = max;
	if (jitter01 < 0)
		jitter01 = 0;
	if (jitter01 >= 1)
		jitter01 = 0.999;
	return d * (1.0 - 0.2 * jitter01);
}
