"""The knowledge base for agents over REST: search from the reply box. Staff only (IsAgent)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.api import INPUT_ERRORS
from knowledge_base import conf, services
from knowledge_base.api.serializers import KbSearchInputSerializer, KbSearchOutputSerializer
from knowledge_base.models import SearchSource
from knowledge_base.search import search


@extend_schema(tags=["knowledge base"])
class KbSearchApi(APIView):
    @extend_schema(
        summary="Search the knowledge base",
        description="Published articles, internal ones included, best first: for the agent's reply box "
        "(insert a link or the text). Logged for the search reports.",
        parameters=[KbSearchInputSerializer],
        responses={200: KbSearchOutputSerializer, **{k: v for k, v in INPUT_ERRORS.items() if k != 404}},
    )
    def get(self, request):
        params = KbSearchInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        language = data.get("lang") or conf.default_language()
        hits = search(data["q"], language=language, include_internal=True, limit=data["limit"])
        services.log_search(query=data["q"], language=language, results=len(hits), source=SearchSource.AGENT)
        results = [
            {
                "article_id": hit.article_id,
                "language": hit.language,
                "title": hit.title,
                "url": request.build_absolute_uri(hit.url),
                "snippet": str(hit.snippet),
                "body_text": hit.body_text,
                "body_html": hit.body_html,
                "internal": hit.internal,
                "fallback": hit.fallback,
            }
            for hit in hits
        ]
        return Response(KbSearchOutputSerializer({"results": results}).data)
