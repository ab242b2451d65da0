/* routes_dump - prints the classifier's route table, one route a line:
 *   name TAB method ("*": any) TAB pattern TAB kind TAB class
 * for tests/inventory/check_routes.sh to hold docs/routes.md against. */
#include <stdio.h>

#include "cisgate/uri.h"

int
main(void)
{
	const struct uri_route *r;
	size_t i;

	for (i = 0; (r = uri_route_at(i)) != NULL; i++)
		printf("%s\t%s\t%s\t%s\t%s\n", r->name, r->method ? r->method : "*", r->pattern,
		    uri_kind_name(r->kind), uri_class_name(r->rclass));
	return 0;
}
