import { z } from "zod";
import { previewTemplate, TemplatePreviewSchema } from "~/contracts/api-v1/templates.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const preview = defineEndpoint({
  method: "GET",
  path: "/api/v1/templates/preview/{id}",
  scope: "read:templates",
  summary: "Preview a dunning template",
  description:
    "A dunning email as a customer would get it, rendered with sample data (Jane Doe, $49.00) and your branding. `id` is a sequence step's id, or a sequence's id for its first email. Lists the placeholders a template may use.",
  tags: ["Templates"],
  params: z.object({ id: z.string().min(1).max(200) }),
  response: TemplatePreviewSchema,
  errors: ["template_not_found"],
  example: { params: { id: "clx0step0001" } },
  handler: ({ workspaceId, params }) => previewTemplate({ workspaceId, id: params.id }),
});

const route = routeOf(preview);
export const loader = route.loader;
export const action = route.action;
