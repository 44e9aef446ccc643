-- Maintenance jobs a running server carries out for an administrator (issue #4: `docstore
-- reindex` against a running server; issue #6: "start a reindex" in the console). The request,
-- its progress and its outcome are rows here, written by the server that runs the job, so the
-- CLI follows a job without HTTP credentials, and any node's console can show it.
-- Each node keeps its own derived index (DESIGN.md, Scale-out): `node` names the index a job is
-- for (host and index folder), and only that node picks the job up.
CREATE TABLE maintenance_job (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('index-rebuild')),
    node          text NOT NULL,
    requested_by  text NOT NULL,
    requested_at  timestamptz NOT NULL DEFAULT now(),
    started_at    timestamptz,
    finished_at   timestamptz,
    phase         text NOT NULL DEFAULT 'requested',
    done          bigint NOT NULL DEFAULT 0,
    total         bigint NOT NULL DEFAULT 0,
    error         text
);

-- One job of a kind at a time per node: a second request finds the first.
CREATE UNIQUE INDEX maintenance_job_one_open ON maintenance_job (node, kind) WHERE finished_at IS NULL;
CREATE INDEX maintenance_job_node ON maintenance_job (node, kind, id DESC);
