import * as customerRoute from "~/routes/api.v1.customers.$id";
import * as paymentsRoute from "~/routes/api.v1.customers.$id.payments";
import * as pauseAllRoute from "~/routes/api.v1.customers.$id.pause-all";
import * as recoveriesRoute from "~/routes/api.v1.customers.$id.recoveries";
import * as resumeAllRoute from "~/routes/api.v1.customers.$id.resume-all";
import * as byEmailRoute from "~/routes/api.v1.customers.by-email.$email";
import * as customersRoute from "~/routes/api.v1.customers";

/** The /api/v1 customers endpoints by OpenAPI path, for `v1Caller`/`useV1Caller`. */
export const CUSTOMER_ROUTES = {
  "/api/v1/customers": customersRoute,
  "/api/v1/customers/by-email/{email}": byEmailRoute,
  "/api/v1/customers/{id}": customerRoute,
  "/api/v1/customers/{id}/payments": paymentsRoute,
  "/api/v1/customers/{id}/recoveries": recoveriesRoute,
  "/api/v1/customers/{id}/pause-all": pauseAllRoute,
  "/api/v1/customers/{id}/resume-all": resumeAllRoute,
};
