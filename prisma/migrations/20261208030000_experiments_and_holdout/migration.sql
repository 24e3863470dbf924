-- Experiments and the standing holdout (issue 12, ADR 0072). Off by default: no workspace holds anyone out until it says so.
ALTER TABLE "Workspace" ADD COLUMN "holdoutBasisPoints" INTEGER NOT NULL DEFAULT 0;

ALTER TABLE "RecoveryAttempt"
  ADD COLUMN "holdout" BOOLEAN NOT NULL DEFAULT false,
  ADD COLUMN "experimentId" TEXT,
  ADD COLUMN "experimentVariant" TEXT,
  ADD COLUMN "experimentParams" JSONB;
CREATE INDEX "RecoveryAttempt_experiment_idx" ON "RecoveryAttempt"("experimentId", "experimentVariant");
CREATE INDEX "RecoveryAttempt_workspace_holdout_started_idx" ON "RecoveryAttempt"("workspaceId", "holdout", "startedAt");

CREATE TABLE "Experiment" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "variants" JSONB NOT NULL,
    "winner" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Experiment_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "Experiment_workspaceId_status_idx" ON "Experiment"("workspaceId", "status");
CREATE INDEX "Experiment_workspaceId_createdAt_id_idx" ON "Experiment"("workspaceId", "createdAt" DESC, "id" DESC);
ALTER TABLE "Experiment" ADD CONSTRAINT "Experiment_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
