"""The report's words, in Swedish (default) and English, and number formats."""

from __future__ import annotations

LANGUAGES = ("sv", "en")

_T = {
    "sv": {
        "title": "Teman i intervjuerna",
        "subtitle": "Rapport från codingkit: kodbok {codebook}, {interviews} intervjuer, {turns} svarsturer",
        "provenance": "Underlag och körning",
        "results_folder": "Resultatmapp",
        "codebook": "Kodbok",
        "created": "Kodat",
        "codingkit": "codingkit-version",
        "counts": "Omfattning",
        "counts_text": "{transcripts} transkript, {segments} segment, {codings} kodningar",
        "options": "Inställningar",
        "inputs": "Transkript ({n})",
        "schema": "Resultatmappens schemaversion",
        "unvalidated": "Siffrorna är automatisk kodning som inte har validerats mot mänsklig kodning. "
                       "Mät överensstämmelsen (codingkit evaluate --gold … --pred … --by project,round --out …) innan "
                       "andelarna används i en rapport.",
        "validated": "± anger hur långt codingkits andelar låg från en mänsklig kodares, i genomsnitt "
                     "per {by} (största avvikelse inom parentes), mätt {how}: {interviews} intervjuer, "
                     "{units} svarsturer, α {alpha} (medel över teman). Källa: {folder}.",
        "validated_noshares": "Överensstämmelse med mänsklig kodning finns (α {alpha}, {folder}) men inte "
                              "andelarnas avvikelse: kör codingkit evaluate med --by project,round för "
                              "ett ±-värde per andel. Andelarna nedan är därför ovaliderade.",
        "how_own": "på denna körnings egen kodning",
        "how_other": "på andra intervjuer än denna körnings ({evaluated})",
        "how_same": "på denna körnings intervjuer, kodade på nytt av codingkit evaluate ({evaluated})",
        "how_partly": "på {shared} av denna körnings intervjuer och {others} andra, kodade av "
                      "codingkit evaluate ({evaluated})",
        "how_coded": "på intervjuer som codingkit evaluate kodade ({evaluated})",
        "how_cv": "med korsvalidering ({cv} delar)",
        "stale": "Överensstämmelsen med mänsklig kodning i {path} mättes på en annan kodning än "
                 "denna körnings (resultatmappens kodning har ändrats sedan, till exempel av en ny "
                 "codingkit apply) och visas därför inte: inga ±-värden eller α nedan. Andelarna "
                 "är automatisk kodning som inte har validerats. Kör codingkit evaluate --pred på "
                 "den här resultatmappen igen.",
        "stale_unknown": "Överensstämmelsen med mänsklig kodning i {path} anger inte vilken kodning "
                         "den mättes på (den skrevs av en äldre codingkit) och visas därför inte: "
                         "inga ±-värden eller α nedan. Andelarna är automatisk kodning som inte har "
                         "validerats. Kör codingkit evaluate --pred på den här resultatmappen igen.",
        "unfair_bundled_learned_from": "Kodaren som följer med kodboken har lärt sig av {transcripts} "
                                       "av de {of} intervjuer som överensstämmelsen mättes på "
                                       "(till exempel {example}).",
        "unfair_evaluated_learned": "{turns} av de svarsturer som överensstämmelsen mättes på har "
                                    "codingkit lärt sig av (--learn-from).",
        "unfair_own_coding": "Den mänskliga kodningen som jämfördes ({file}) är codingkits egen "
                             "kodning, inte en människas.",
        "unfair_other": "Överensstämmelsen är inte mätt på ett rättvist sätt ({message}).",
        "unfair": "Inte ett rättvist test: {why} Överensstämmelsen säger därför inte hur väl "
                  "kodningen stämmer: α och ± nedan överskattar den, och andelarna ska räknas som "
                  "ovaliderade.",
        "unfair_short": "inte ett rättvist test",
        "overview": "Översikt: teman per projekt och omgång",
        "heatmap_caption": "Andel svarsturer kodade med temat (färg och procent) och antal intervjuer "
                           "där temat förekommer av alla intervjuer i gruppen.",
        "theme": "Tema",
        "all": "Alla",
        "change": "Förändring sedan omgång {base} (till omgång {latest})",
        "change_none": "Bara en omgång finns; ingen förändring att visa.",
        "interviewer_coded": "Intervjuarens turer kodades också (--code-interviewer): en "
                             "intervju räknas i andelen intervjuer även när bara intervjuarens "
                             "tur kodades, medan andelen svarsturer bara räknar svarsturer; "
                             "frequencies.csv:s segments räknar även intervjuarens turer.",
        "since_only": "Förändringen för alla projekt jämför de projekt som har intervjuer i "
                      "båda omgångarna; utan intervjuer i den ena: {projects}.",
        "only_round": "bara omgång {round}",
        "rounding": "Andelarna visas i hela procent (en andel över 0 som avrundas till 0 "
                    "visas som <1 %); förändringen i procentenheter (p.e.) räknas på de "
                    "oavrundade andelarna och kan därför skilja sig från skillnaden mellan de "
                    "avrundade.",
        "turns_share": "Andel svarsturer",
        "interviews_share": "Andel intervjuer",
        "round": "Omgång",
        "project": "Projekt",
        "group": "Grupp",
        "diff": "Förändring",
        "new_in": "Nytt i (intervjuer)",
        "gone_in": "Försvunnet i",
        "cooc": "Teman som förekommer tillsammans",
        "cooc_caption": "Antal svarsturer som kodats med båda temana (diagonalen: med temat). "
                        "Antal intervjuer med båda inom parentes.",
        "themes": "Teman",
        "definition": "Definition",
        "include": "Ta med",
        "exclude": "Ta inte med",
        "subcodes": "Underkoder",
        "shares": "Förekomst per projekt och omgång",
        "interviews": "Intervjuer",
        "turns": "Svarsturer",
        "trend": "Utveckling över omgångarna (andel svarsturer)",
        "quotes": "Citat",
        "quotes_caption": "Upp till {n} citat per projekt och omgång, från olika intervjuer och roller "
                          "där det går; matchade ord är markerade.",
        "no_quotes": "Inga kodade svarsturer.",
        "turn": "tur",
        "evidence": "Belägg",
        "uncoded": "Intervjuer utan någon kodning",
        "uncoded_none": "Alla intervjuer har minst en kodning.",
        "source": "Källa",
        "file": "Fil",
        "format": "Format",
        "role": "Roll",
        "n_turns": "Svarsturer",
        "method": "Så räknas andelarna",
        "method_text": "Andel intervjuer: intervjuer med minst en kodning av temat eller en underkod, "
                       "av gruppens intervjuer. Andel svarsturer: svarsturer kodade med temat, av "
                       "gruppens svarsturer. Samma tal som frequencies.csv.",
        "up": "upp", "down": "ned", "same": "oförändrat",
        "pp": "p.e.",
        "nodef": "(ingen definition: kodboken hittades inte)",
        "note": "Obs",
        "alpha": "α mot mänsklig kodning",
        "of": "av",
        "generated": "Skapad av codingkit {version} från {folder}.",
        "bundled_file": "följer med codingkit",
        "yes": "ja", "no": "nej",
        "coder_codebook": "kodboken ensam (regler och likhet med exempel)",
        "coder_bundled": "inlärd kodare ({interviews} guldintervjuer)",
        "coder_learned": "inlärd av mänsklig kodning ({segments} segment)",
        "built": "byggd {date}",
        "learned_turns": "{turns} segment kodade för hand ({files})",
        "on_top_of": "utöver {coder}, med vikten {weight}",
        "unit_turn": "talartur", "unit_sentence": "mening", "unit_paragraph": "stycke",
        "similarity_tfidf": "tf-idf (ordlikhet)", "similarity_semantic": "semantisk",
        "similarity_none": "ingen (bara regler)",
        "unknown_list": "listas för granskning", "unknown_replace": "ersätts ([Namn n])",
        "opt_unit": "Kodningsenhet",
        "opt_code_interviewer": "Intervjuarens turer kodas",
        "opt_similarity": "Likhet",
        "opt_learned_codes": "Koder med inlärd modell",
        "opt_codebook_kept": "Koder som kodboken ensam kodar",
        "opt_sense_check": "Rimlighetskontroll",
        "opt_topic_check": "Ämneskontroll",
        "opt_speaker_pattern": "Talarmönster",
        "opt_text_column": "Svarskolumn",
        "opt_id_column": "Id-kolumn",
        "opt_manifest": "Metadatafil",
        "opt_learn_from": "Mänsklig kodning att lära av",
        "opt_learn_transcripts": "Handkodade transkript",
        "opt_min_positives": "Minsta antal kodade segment för inlärning",
        "opt_model": "Sparad kodare",
        "opt_model_sha256": "Sparad kodare, sha256",
        "opt_save_model": "Kodaren sparad som",
        "opt_rules_only": "Bara kodboken (ingen inlärd kodare)",
        "opt_coder": "Kodare",
        "opt_learned_from": "Lärt av",
        "opt_pseudonymized": "Pseudonymiserad",
        "opt_pseudonymized_copies": "Kodade pseudonymiserade kopior",
        "opt_pseudonym_key_sha256": "Pseudonymnyckel, sha256",
        "opt_pseudonym_format": "Pseudonymformat",
        "opt_pseudonymize_unknown": "Okända namn",
        "opt_formats": "Utdataformat",
        "opt_by": "Frekvenser per",
        "opt_csv_raw": "CSV-celler oskyddade mot formler",
        "opt_cache": "Cachemapp",
        "opt_cached_files": "Filer från cachen",
    },
    "en": {
        "title": "Themes in the interviews",
        "subtitle": "codingkit report: codebook {codebook}, {interviews} interviews, {turns} respondent turns",
        "provenance": "Sources and run",
        "results_folder": "Results folder",
        "codebook": "Codebook",
        "created": "Coded",
        "codingkit": "codingkit version",
        "counts": "Size",
        "counts_text": "{transcripts} transcripts, {segments} segments, {codings} codings",
        "options": "Options",
        "inputs": "Transcripts ({n})",
        "schema": "Results folder schema version",
        "unvalidated": "These figures are automatic coding that has not been validated against human "
                       "coding. Measure agreement (codingkit evaluate --gold … --pred … --by project,round --out …) "
                       "before using the shares in a report.",
        "validated": "± is how far codingkit's shares were from a human coder's, on average per {by} "
                     "(largest in brackets), measured {how}: {interviews} interviews, {units} "
                     "respondent turns, α {alpha} (mean over themes). Source: {folder}.",
        "validated_noshares": "Agreement with human coding exists (α {alpha}, {folder}) but not the "
                              "shares' error: run codingkit evaluate with --by project,round for a ± "
                              "per share. The shares below are therefore unvalidated.",
        "how_own": "on this run's own coding",
        "how_other": "on other interviews than this run's ({evaluated})",
        "how_same": "on this run's interviews, coded again by codingkit evaluate ({evaluated})",
        "how_partly": "on {shared} of this run's interviews and {others} others, coded by "
                      "codingkit evaluate ({evaluated})",
        "how_coded": "on interviews codingkit evaluate coded ({evaluated})",
        "how_cv": "by cross-validation ({cv} folds)",
        "stale": "The agreement with human coding in {path} was measured on another coding than "
                 "this run's (the results folder's coding has changed since, e.g. by another "
                 "codingkit apply) and is therefore not shown: no ± or α below. The shares are "
                 "automatic coding that has not been validated. Run codingkit evaluate --pred on "
                 "this results folder again.",
        "stale_unknown": "The agreement with human coding in {path} does not record which coding it "
                         "was measured on (written by an older codingkit) and is therefore not "
                         "shown: no ± or α below. The shares are automatic coding that has not "
                         "been validated. Run codingkit evaluate --pred on this results folder "
                         "again.",
        "unfair_bundled_learned_from": "The coder bundled with the codebook learned from "
                                       "{transcripts} of the {of} interviews the agreement was "
                                       "measured on (such as {example}).",
        "unfair_evaluated_learned": "codingkit learned from {turns} of the turns the agreement was "
                                    "measured on (--learn-from).",
        "unfair_own_coding": "The human coding compared with ({file}) is codingkit's own coding, "
                             "not a human's.",
        "unfair_other": "The agreement was not measured fairly ({message}).",
        "unfair": "Not a fair test: {why} The agreement therefore does not say how well the "
                  "coding agrees: α and ± below overstate it, and the shares should be taken as "
                  "unvalidated.",
        "unfair_short": "not a fair test",
        "overview": "Overview: themes per project and round",
        "heatmap_caption": "Share of respondent turns coded with the theme (colour and percent) and "
                           "interviews raising the theme of all interviews in the group.",
        "theme": "Theme",
        "all": "All",
        "change": "Change since round {base} (to round {latest})",
        "change_none": "Only one round; no change to show.",
        "interviewer_coded": "The interviewer's turns were coded too (--code-interviewer): "
                             "an interview counts in the share of interviews also when only "
                             "the interviewer's turn was coded, while the share of respondent "
                             "turns counts respondent turns only; frequencies.csv's segments "
                             "count the interviewer's turns too.",
        "since_only": "The change of all projects compares the projects with interviews in "
                      "both rounds; without interviews in one of them: {projects}.",
        "only_round": "round {round} only",
        "rounding": "Shares are shown in whole percent (a share above 0 that rounds to 0 "
                    "is shown as <1%); the change in percentage points (pp) is computed from "
                    "the unrounded shares, so it may differ from the difference between the "
                    "rounded ones.",
        "turns_share": "Share of respondent turns",
        "interviews_share": "Share of interviews",
        "round": "Round",
        "project": "Project",
        "group": "Group",
        "diff": "Change",
        "new_in": "New in (interviews)",
        "gone_in": "Gone in",
        "cooc": "Themes that occur together",
        "cooc_caption": "Respondent turns coded with both themes (diagonal: with the theme). "
                        "Interviews with both in brackets.",
        "themes": "Themes",
        "definition": "Definition",
        "include": "Include",
        "exclude": "Exclude",
        "subcodes": "Sub-codes",
        "shares": "Occurrence per project and round",
        "interviews": "Interviews",
        "turns": "Respondent turns",
        "trend": "Trend across rounds (share of respondent turns)",
        "quotes": "Quotes",
        "quotes_caption": "Up to {n} quotes per project and round, from different interviews and "
                          "roles where possible; matched words are highlighted.",
        "no_quotes": "No coded respondent turns.",
        "turn": "turn",
        "evidence": "Evidence",
        "uncoded": "Interviews without any coding",
        "uncoded_none": "Every interview has at least one coding.",
        "source": "Source",
        "file": "File",
        "format": "Format",
        "role": "Role",
        "n_turns": "Respondent turns",
        "method": "How the shares are counted",
        "method_text": "Share of interviews: interviews with at least one coding of the theme or a "
                       "sub-code, of the group's interviews. Share of respondent turns: respondent "
                       "turns coded with the theme, of the group's respondent turns. The same "
                       "figures as frequencies.csv.",
        "up": "up", "down": "down", "same": "unchanged",
        "pp": "pp",
        "nodef": "(no definition: the codebook was not found)",
        "note": "Note",
        "alpha": "α against human coding",
        "of": "of",
        "generated": "Made by codingkit {version} from {folder}.",
        "bundled_file": "comes with codingkit",
        "yes": "yes", "no": "no",
        "coder_codebook": "the codebook alone (rules and similarity to examples)",
        "coder_bundled": "learned coder ({interviews} gold interviews)",
        "coder_learned": "learned from human coding ({segments} segments)",
        "built": "built {date}",
        "learned_turns": "{turns} hand-coded segments ({files})",
        "on_top_of": "on top of the {coder}, weighing {weight}",
        "unit_turn": "speaker turn", "unit_sentence": "sentence", "unit_paragraph": "paragraph",
        "similarity_tfidf": "tf-idf (word similarity)", "similarity_semantic": "semantic",
        "similarity_none": "none (rules only)",
        "unknown_list": "listed for review", "unknown_replace": "replaced ([Namn n])",
        "opt_unit": "Unit coded",
        "opt_code_interviewer": "Interviewer's turns coded",
        "opt_similarity": "Similarity",
        "opt_learned_codes": "Codes with a learned model",
        "opt_codebook_kept": "Codes the codebook alone codes",
        "opt_sense_check": "Sense check",
        "opt_topic_check": "Topic check",
        "opt_speaker_pattern": "Speaker pattern",
        "opt_text_column": "Answer column",
        "opt_id_column": "Id column",
        "opt_manifest": "Metadata file",
        "opt_learn_from": "Human coding learned from",
        "opt_learn_transcripts": "Hand-coded transcripts",
        "opt_min_positives": "Fewest coded segments to learn a code",
        "opt_model": "Saved coder",
        "opt_model_sha256": "Saved coder, sha256",
        "opt_save_model": "Coder saved as",
        "opt_rules_only": "Codebook only (no learned coder)",
        "opt_coder": "Coder",
        "opt_learned_from": "Learned from",
        "opt_pseudonymized": "Pseudonymised",
        "opt_pseudonymized_copies": "Coded pseudonymised copies",
        "opt_pseudonym_key_sha256": "Pseudonym key, sha256",
        "opt_pseudonym_format": "Pseudonym format",
        "opt_pseudonymize_unknown": "Unknown names",
        "opt_formats": "Output formats",
        "opt_by": "Frequencies by",
        "opt_csv_raw": "CSV cells unprotected against formulas",
        "opt_cache": "Cache folder",
        "opt_cached_files": "Files from the cache",
    },
}


#: The words that change with what was coded (:attr:`Figures.material`):
#: survey answers (one answer a respondent, ``<file>#<id>``) or interviews
#: and survey answers together; interviews use :data:`_T` as it is.
_MATERIAL = {
    "sv": {
        "survey": {
            "title": "Teman i enkätsvaren",
            "subtitle": "Rapport från codingkit: kodbok {codebook}, {answers} enkätsvar",
            "counts_text": "{transcripts} enkätsvar, {segments} segment, {codings} kodningar",
            "inputs": "Enkäter ({n})",
            "heatmap_caption": "Andel svar kodade med temat (färg och procent) och antal "
                               "svarande där temat förekommer av alla svarande i gruppen.",
            "turns_share": "Andel svar",
            "interviews_share": "Andel svarande",
            "new_in": "Nytt i (svar)",
            "cooc_caption": "Antal svar som kodats med båda temana (diagonalen: med temat). "
                            "Antal svarande med båda inom parentes.",
            "interviews": "Svarande",
            "turns": "Svar",
            "trend": "Utveckling över omgångarna (andel svar)",
            "uncoded": "Svar utan någon kodning",
            "uncoded_none": "Alla svar har minst en kodning.",
            "n_turns": "Svar",
            "quotes_caption": "Upp till {n} citat per projekt och omgång, från olika svarande "
                              "och roller där det går; matchade ord är markerade.",
            "method_text": "Andel svarande: svarande med minst en kodning av temat eller en "
                           "underkod, av gruppens svarande. Andel svar: svar kodade med temat, "
                           "av gruppens svar. Samma tal som frequencies.csv.",
        },
        "mixed": {
            "title": "Teman i intervjuerna och enkätsvaren",
            "subtitle": "Rapport från codingkit: kodbok {codebook}, {interviews} intervjuer och "
                        "{answers} enkätsvar, {turns} svarsturer",
            "counts_text": "{transcripts} transkript och enkätsvar, {segments} segment, "
                           "{codings} kodningar",
            "inputs": "Transkript och enkäter ({n})",
            "interviews_share": "Andel intervjuer och svarande",
            "interviews": "Intervjuer och svarande",
            "uncoded": "Intervjuer och enkätsvar utan någon kodning",
            "uncoded_none": "Alla intervjuer och enkätsvar har minst en kodning.",
        },
    },
    "en": {
        "survey": {
            "title": "Themes in the survey answers",
            "subtitle": "codingkit report: codebook {codebook}, {answers} survey answers",
            "counts_text": "{transcripts} survey answers, {segments} segments, {codings} codings",
            "inputs": "Surveys ({n})",
            "heatmap_caption": "Share of answers coded with the theme (colour and percent) and "
                               "respondents raising the theme of all respondents in the group.",
            "turns_share": "Share of answers",
            "interviews_share": "Share of respondents",
            "new_in": "New in (answers)",
            "cooc_caption": "Answers coded with both themes (diagonal: with the theme). "
                            "Respondents with both in brackets.",
            "interviews": "Respondents",
            "turns": "Answers",
            "trend": "Trend across rounds (share of answers)",
            "uncoded": "Answers without any coding",
            "uncoded_none": "Every answer has at least one coding.",
            "n_turns": "Answers",
            "quotes_caption": "Up to {n} quotes per project and round, from different "
                              "respondents and roles where possible; matched words are "
                              "highlighted.",
            "method_text": "Share of respondents: respondents with at least one coding of the "
                           "theme or a sub-code, of the group's respondents. Share of answers: "
                           "answers coded with the theme, of the group's answers. The same "
                           "figures as frequencies.csv.",
        },
        "mixed": {
            "title": "Themes in the interviews and survey answers",
            "subtitle": "codingkit report: codebook {codebook}, {interviews} interviews and "
                        "{answers} survey answers, {turns} respondent turns",
            "counts_text": "{transcripts} transcripts and survey answers, {segments} segments, "
                           "{codings} codings",
            "inputs": "Transcripts and surveys ({n})",
            "interviews_share": "Share of interviews and respondents",
            "interviews": "Interviews and respondents",
            "uncoded": "Interviews and survey answers without any coding",
            "uncoded_none": "Every interview and survey answer has at least one coding.",
        },
    },
}
#: What a report can be about (:attr:`codingkit.report.figures.Figures.material`).
MATERIALS = ("interviews", "survey", "mixed")

#: The segments counted, by the run's unit (``--unit``), where a run by turn
#: says "svarsturer" / "respondent turns": (plural, capitalised) per language.
_UNITS = {
    "sv": {"sentence": ("svarsmeningar", "Svarsmeningar"),
           "paragraph": ("svarsstycken", "Svarsstycken")},
    "en": {"sentence": ("respondent sentences", "Respondent sentences"),
           "paragraph": ("respondent paragraphs", "Respondent paragraphs")},
}
#: The same for survey answers cut into sentences or paragraphs.
_SURVEY_UNITS = {
    "sv": {"sentence": "svarsmeningar", "paragraph": "svarsstycken"},
    "en": {"sentence": "answer sentences", "paragraph": "answer paragraphs"},
}
_TURN_WORDS = {"sv": ("svarsturer", "Svarsturer"),
               "en": ("respondent turns", "Respondent turns")}
#: Texts about the agreement measured, whose units are turns whatever the run's unit
#: (codingkit evaluate rolls codings of sentences up to their turn for turn coding).
_TURNS_ALWAYS = ("validated", "unfair_evaluated_learned")


def _survey_unit_words(language: str, unit: str) -> dict[str, str]:
    """The words of a report of survey answers coded by sentence or paragraph."""
    u = _SURVEY_UNITS[language][unit]
    cap = u[0].upper() + u[1:]
    if language == "sv":
        return {
            "turns_share": f"Andel {u}", "turns": cap, "n_turns": cap,
            "trend": f"Utveckling över omgångarna (andel {u})",
            "heatmap_caption": f"Andel {u} kodade med temat (färg och procent) och antal "
                               "svarande där temat förekommer av alla svarande i gruppen.",
            "cooc_caption": f"Antal {u} som kodats med båda temana (diagonalen: med temat). "
                            "Antal svarande med båda inom parentes.",
            "method_text": "Andel svarande: svarande med minst en kodning av temat eller en "
                           f"underkod, av gruppens svarande. Andel {u}: {u} kodade med temat, "
                           f"av gruppens {u}. Samma tal som frequencies.csv.",
        }
    return {
        "turns_share": f"Share of {u}", "turns": cap, "n_turns": cap,
        "trend": f"Trend across rounds (share of {u})",
        "heatmap_caption": f"Share of {u} coded with the theme (colour and percent) and "
                           "respondents raising the theme of all respondents in the group.",
        "cooc_caption": f"{cap} coded with both themes (diagonal: with the theme). "
                        "Respondents with both in brackets.",
        "method_text": "Share of respondents: respondents with at least one coding of the "
                       f"theme or a sub-code, of the group's respondents. Share of {u}: {u} "
                       f"coded with the theme, of the group's {u}. The same figures as "
                       "frequencies.csv.",
    }


class Words:
    """Words and number formats of one language, for what was coded
    (``material``: ``"interviews"``, ``"survey"`` answers, or ``"mixed"``)
    and the segments counted (``unit``: ``"turn"``, or ``"sentence"`` and
    ``"paragraph"``, whose shares are of respondent sentences or paragraphs).

    >>> Words("sv", unit="sentence")("turns_share"), Words("en", unit="paragraph")("turns")
    ('Andel svarsmeningar', 'Respondent paragraphs')
    """

    def __init__(self, language: str = "sv", material: str = "interviews",
                 unit: str = "turn") -> None:
        self.language = language
        self.material = material
        self.unit = unit
        self.t = {**_T[language], **_MATERIAL[language].get(material, {})}
        if unit in _UNITS[language]:
            (turns, cap), (new, new_cap) = _TURN_WORDS[language], _UNITS[language][unit]
            self.t = {k: v if k in _TURNS_ALWAYS else v.replace(turns, new).replace(cap, new_cap)
                      for k, v in self.t.items()}
            if material == "survey":
                self.t.update(_survey_unit_words(language, unit))

    def __call__(self, key: str, **kw) -> str:
        s = self.t[key]
        return s.format(**kw) if kw else s

    def key(self, column: str) -> str:
        """A metadata column's name in the report's language (project → projekt)."""
        names = {"project": "project", "round": "round", "role": "role", "source": "source"}
        if column in names:
            return self(names[column]).lower()
        return column

    def num(self, x: float, digits: int = 1) -> str:
        """``x`` with ``digits`` decimals, a half rounded up (away from zero),
        as Excel shows a number (the workbook's shares) and as readers expect:
        12.5 → 13, not Python's 12 (half to even); floating-point noise
        (14.499999999999998 for 100 × 0.145) is taken off first.

        >>> Words("sv").num(12.5, 0), Words("en").num(0.125, 2), Words("sv").num(-2.25)
        ('13', '0.13', '-2,3')
        """
        from decimal import ROUND_HALF_UP, Decimal

        if x != x or x in (float("inf"), float("-inf")):  # nan, inf: as Python writes them
            return f"{x:.{digits}f}"
        d = Decimal(repr(round(float(x), 10))).quantize(Decimal(1).scaleb(-digits),
                                                         rounding=ROUND_HALF_UP)
        s = f"{d:.{digits}f}"
        if s.lstrip("-").strip("0.") == "":  # no "-0.0"
            s = s.lstrip("-")
        return s.replace(".", ",") if self.language == "sv" else s

    def pct(self, share: float, digits: int = 0) -> str:
        """12 % (sv) / 12% (en); a share above 0 that would round to 0 is
        ``<1 %`` (``<0,1 %`` with one decimal), never 0 %.

        >>> Words("sv").pct(0.123), Words("en").pct(0.004), Words("sv").pct(0.0)
        ('12\xa0%', '<1%', '0\xa0%')
        """
        s = self.num(100 * share, digits)
        if share > 0 and float(s.replace(",", ".")) == 0:
            s = "<" + self.num(10.0 ** -digits, digits)
        return f"{s}\u00a0%" if self.language == "sv" else f"{s}%"

    def pp(self, diff: float) -> str:
        """+3,2 p.e. / −1.0 pp (diff is a share difference)."""
        v = 100 * diff
        s = self.num(abs(v), 1)
        # the sign of what is shown: "+0,1" for 0.05 p.e. (rounded up), no sign for "0,0"
        sign = "" if float(s.replace(",", ".")) == 0 else ("+" if v > 0 else "−")
        return f"{sign}{s}\u00a0{self('pp')}"

    def err(self, mean: float, largest: float) -> str:
        """± 2,1 p.e. (5,9)."""
        return f"±\u00a0{self.num(100 * mean, 1)}\u00a0{self('pp')} ({self.num(100 * largest, 1)})"
