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
                       "Mät överensstämmelsen (codingkit evaluate --by project,round --out …) innan "
                       "andelarna används i en rapport.",
        "validated": "± anger hur långt codingkits andelar låg från en mänsklig kodares, i genomsnitt "
                     "per {by} (största avvikelse inom parentes), mätt {how}: {interviews} intervjuer, "
                     "{units} svarsturer, α {alpha} (medel över teman). Källa: {folder}.",
        "validated_noshares": "Överensstämmelse med mänsklig kodning finns (α {alpha}, {folder}) men inte "
                              "andelarnas avvikelse: kör codingkit evaluate med --by project,round för "
                              "ett ±-värde per andel. Andelarna nedan är därför ovaliderade.",
        "how_own": "på denna körnings egen kodning",
        "how_other": "på andra intervjuer ({evaluated})",
        "how_cv": "med korsvalidering ({cv} delar)",
        "overview": "Översikt: teman per projekt och omgång",
        "heatmap_caption": "Andel svarsturer kodade med temat (färg och procent) och antal intervjuer "
                           "där temat förekommer av alla intervjuer i gruppen.",
        "theme": "Tema",
        "all": "Alla",
        "change": "Förändring sedan omgång {base} (till omgång {latest})",
        "change_none": "Bara en omgång finns; ingen förändring att visa.",
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
                       "coding. Measure agreement (codingkit evaluate --by project,round --out …) "
                       "before using the shares in a report.",
        "validated": "± is how far codingkit's shares were from a human coder's, on average per {by} "
                     "(largest in brackets), measured {how}: {interviews} interviews, {units} "
                     "respondent turns, α {alpha} (mean over themes). Source: {folder}.",
        "validated_noshares": "Agreement with human coding exists (α {alpha}, {folder}) but not the "
                              "shares' error: run codingkit evaluate with --by project,round for a ± "
                              "per share. The shares below are therefore unvalidated.",
        "how_own": "on this run's own coding",
        "how_other": "on other interviews ({evaluated})",
        "how_cv": "by cross-validation ({cv} folds)",
        "overview": "Overview: themes per project and round",
        "heatmap_caption": "Share of respondent turns coded with the theme (colour and percent) and "
                           "interviews raising the theme of all interviews in the group.",
        "theme": "Theme",
        "all": "All",
        "change": "Change since round {base} (to round {latest})",
        "change_none": "Only one round; no change to show.",
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
    },
}


class Words:
    """Words and number formats of one language."""

    def __init__(self, language: str = "sv") -> None:
        self.language = language
        self.t = _T[language]

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
        s = f"{x:.{digits}f}"
        return s.replace(".", ",") if self.language == "sv" else s

    def pct(self, share: float, digits: int = 0) -> str:
        """12 % (sv) / 12% (en)."""
        s = self.num(100 * share, digits)
        return f"{s}\u00a0%" if self.language == "sv" else f"{s}%"

    def pp(self, diff: float) -> str:
        """+3,2 p.e. / −1.0 pp (diff is a share difference)."""
        v = 100 * diff
        sign = "+" if v > 0.05 else ("−" if v < -0.05 else "")
        return f"{sign}{self.num(abs(v), 1)}\u00a0{self('pp')}"

    def err(self, mean: float, largest: float) -> str:
        """± 2,1 p.e. (5,9)."""
        return f"±\u00a0{self.num(100 * mean, 1)}\u00a0{self('pp')} ({self.num(100 * largest, 1)})"
