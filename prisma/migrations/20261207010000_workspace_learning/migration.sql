-- What a workspace's own retries taught the retry policy (ADR 0051): one row per workspace,
-- rewritten by the nightly workspace-learning job and read by the engine's `decide` by its key.

-- CreateTable
CREATE TABLE "WorkspaceLearning" (
    "workspaceId" TEXT NOT NULL,
    "rates" JSONB,
    "attempts" INTEGER NOT NULL,
    "computedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WorkspaceLearning_pkey" PRIMARY KEY ("workspaceId")
);

-- AddForeignKey
ALTER TABLE "WorkspaceLearning" ADD CONSTRAINT "WorkspaceLearning_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
