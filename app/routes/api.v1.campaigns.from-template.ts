import { createFromTemplate } from "~/domain/campaigns/campaigns.server";
import { CampaignSchema, FromTemplateSchema } from "~/contracts/api-v1/campaigns";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const create = defineEndpoint({
  method: "POST",
  path: "/api/v1/campaigns/from-template",
  scope: "write:campaigns",
  summary: "Create a campaign from a template",
  description: "A `draft` copy of a template's trigger, filters and emails, named `name` or the template's name. Edit it, simulate it, then activate it.",
  tags: ["Campaigns"],
  body: FromTemplateSchema,
  response: CampaignSchema,
  status: 201,
  errors: ["template_not_found"],
  example: { body: { template_id: "tmpl_soft_decline", name: "Soft declines" } },
  handler: ({ workspaceId, body }) => createFromTemplate({ workspaceId, templateId: body.template_id, name: body.name }),
});

const route = routeOf(create);
export const loader = route.loader;
export const action = route.action;
