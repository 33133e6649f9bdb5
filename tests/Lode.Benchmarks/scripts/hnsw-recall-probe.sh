#!/usr/bin/env bash
# Recall@10 of a kept `retrieval` benchmark database's HNSW index(es), from fixed probe queries, in SQL only: a quick
# way to compare two indexes built on the same chunks (e.g. m / ef_construction) without rebuilding the database.
#
#   hnsw-recall-probe.sh DATABASE setup          # once: 15 stored chunks and 15 sums of two neighbouring chunks of a
#                                                # document as queries (fixed sample), their exact top 10 in full precision
#   hnsw-recall-probe.sh DATABASE measure [INDEX_TO_HIDE]
#                                                # recall@10 at ef_search 40/100/200 of the index the planner picks; with
#                                                # INDEX_TO_HIDE, that index is dropped inside a transaction that is rolled
#                                                # back, so the other index on the same expression serves the queries
#
# DATABASE is a database name on the cluster of LODE_TEST_PG's host/port (default 127.0.0.1:54329, user lode). The
# probe queries differ from the benchmark's own (which are generated, not stored): compare indexes with one probe set.
set -euo pipefail
db="${1:?database}"; action="${2:?setup|measure}"; hide="${3:-}"
url="postgresql://${PGUSER:-lode}:${PGPASSWORD:-lode}@${PGHOST:-127.0.0.1}:${PGPORT:-54329}/$db"

case "$action" in
setup)
  psql "$url" -v ON_ERROR_STOP=1 -Atq <<'SQL'
drop table if exists rq, rq_exact;
create table rq (qid int primary key, kind text, q vector(384));
insert into rq
select row_number() over (), 'chunk', embedding
from (select embedding from chunks tablesample bernoulli(0.003) repeatable (11) limit 15) s;
insert into rq
select 100 + row_number() over (), 'between two chunks of a document', a.embedding + b.embedding
from (select document_id, ordinal, embedding from chunks tablesample bernoulli(0.003) repeatable (13) limit 15) a
join chunks b on b.document_id = a.document_id and b.generation = 1 and b.ordinal = a.ordinal + 1;
create table rq_exact (qid int, id uuid);
set enable_indexscan = off; set enable_bitmapscan = off;
do $$ declare r record; begin
  for r in select qid, q from rq loop
    insert into rq_exact select r.qid, c.id from chunks c where c.generation = 1
      order by (c.embedding::vector(384)) <=> r.q limit 10;
  end loop; end $$;
SQL
  echo "probe queries and their exact top 10 stored in tables rq, rq_exact of $db" ;;
measure)
  {
    echo "begin;"
    [[ -n "$hide" ]] && echo "drop index \"$hide\";"
    cat <<'SQL'
create temp table res (ef int, qid int, id uuid) on commit drop;
set local enable_seqscan = off;
do $$ declare r record; ef int; begin
  foreach ef in array array[40, 100, 200] loop
    perform set_config('hnsw.ef_search', ef::text, true);
    for r in select qid, q from rq loop
      insert into res select ef, r.qid, c.id from chunks c where c.generation = 1
        order by (c.embedding::halfvec(384)) <=> (r.q)::halfvec(384) limit 10;
    end loop;
  end loop; end $$;
\pset footer off
select rq.kind as queries, res.ef as ef_search,
       round(count(e.id)::numeric / (10 * count(distinct res.qid)), 3) as "recall@10"
from res join rq using (qid) left join rq_exact e on e.qid = res.qid and e.id = res.id
group by 1, 2 order by 1, 2;
rollback;
SQL
  } | psql "$url" -v ON_ERROR_STOP=1 -q ;;
*) echo "usage: $0 DATABASE setup|measure [INDEX_TO_HIDE]" >&2; exit 2 ;;
esac
