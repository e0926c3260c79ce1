from rest_framework import serializers

from helpdesk.api import StrictInputSerializer
from knowledge_base import conf


class KbSearchInputSerializer(StrictInputSerializer):
    q = serializers.CharField(max_length=200, help_text='What to look for (words, "a phrase", -excluded).')
    lang = serializers.CharField(
        required=False,
        max_length=12,
        help_text="ISO 639-1 code of the language to search (default: the knowledge base's default language). "
        "Articles missing in it are searched in the default language.",
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=25, default=10)

    def validate_lang(self, value: str) -> str:
        code = conf.normalise_language(value)
        if code not in conf.languages():
            raise serializers.ValidationError(
                f"Not one of the knowledge base's languages: {', '.join(conf.languages())}."
            )
        return code


class KbHitOutputSerializer(serializers.Serializer):
    article_id = serializers.IntegerField()
    language = serializers.CharField(help_text="Language of this text; differs from `lang` when it fell back.")
    title = serializers.CharField()
    url = serializers.CharField(help_text="Absolute help-centre URL (404 for customers when `internal`).")
    snippet = serializers.CharField(help_text="HTML: an escaped passage with the matched words in <mark>.")
    body_text = serializers.CharField(help_text="The whole article as plain text, to insert into a reply.")
    body_html = serializers.CharField(help_text="The whole article as sanitised HTML.")
    internal = serializers.BooleanField(help_text="Agents only: do not send its link to a customer.")
    fallback = serializers.BooleanField(help_text="Shown in the default language: none in `lang`.")


class KbSearchOutputSerializer(serializers.Serializer):
    results = KbHitOutputSerializer(many=True)
