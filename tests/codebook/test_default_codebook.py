"""The default codebook (innovationsupphandling.yaml) on Swedish interview speech.

The sentences are written the way respondents talk ("vi bjöd in
företagen", not "tidig marknadsdialog"), with the traps of the research
brief: "dialog" between colleagues, "behov" of more staff, a Christmas
market, a church choir's "samverkan", film "effekter".
"""

from __future__ import annotations

import re

import pytest

from codingkit.codebook import validate_codebook

THEMES = ["tidig_dialog", "behov", "kommersialisering", "forfarande", "risk_regelverk",
          "forankring", "samverkan", "resurser", "larande", "effekter"]


def test_ten_themes_in_the_order_of_the_brief(codebook):
    assert [c.id for c in codebook.themes] == THEMES
    assert codebook.id == "innovationsupphandling"
    assert codebook.language == "sv"


def test_every_code_is_complete(codebook):
    for code in codebook:
        assert code.label and code.label_en, code.id
        assert code.rules, code.id
        assert code.id == codebook.theme_of(code.id) or code.id.startswith(code.parent + ".")
    for theme in codebook.themes:
        assert theme.description and theme.include and theme.exclude, theme.id
        assert re.fullmatch(r"#[0-9a-f]{6}", theme.color), theme.id
        assert 4 <= len(theme.examples) <= 8, theme.id
        assert 2 <= len(theme.negative_examples) <= 4, theme.id
    colours = [t.color for t in codebook.themes]
    assert len(set(colours)) == 10
    # a few sub-codes where they help
    assert {"tidig_dialog.rfi", "forfarande.innovationspartnerskap"} <= set(codebook.codes)


def test_rules_compile_in_the_rule_engine(codebook):
    # the schema compiles and probes every rule (what `codingkit validate` reports)
    assert validate_codebook(codebook.path) == []
    kinds = {r.kind for c in codebook for r in c.rules}
    assert kinds == {"term", "phrase", "regex", "near"}
    assert all(r.line for c in codebook for r in c.rules)


def test_examples_are_found_and_negative_examples_are_not(codebook, themes_of):
    found = total = 0
    for theme in codebook.themes:
        for ex in theme.examples:
            total += 1
            found += theme.id in themes_of(ex)
        for neg in theme.negative_examples:
            assert theme.id not in themes_of(neg), (theme.id, neg)
    assert found / total >= 0.95, (found, total)


CASES = [
    # tidig_dialog: how people say it
    ("Innan vi skrev något alls bjöd vi in företagen till en frukost för att höra hur de tänkte.",
     {"tidig_dialog"}),
    ("Vi ville höra vad marknaden kunde erbjuda, så vi la ut en förfrågan på vår hemsida.",
     {"tidig_dialog"}),
    ("Leverantörerna fick tycka till om underlaget innan det gick ut.", {"tidig_dialog"}),
    ("Vi hade ingen tidig dialog med marknaden, och det ångrar vi nu.",
     {"tidig_dialog", "larande"}),
    ("Vi skickade ut en RFI och fick in femton svar.", {"tidig_dialog"}),
    ("Vi träffade fem bolag, en timme var, innan vi bestämde oss.", {"tidig_dialog"}),
    ("Vi hade en informationsträff för leverantörer i mars.", {"tidig_dialog"}),
    ("De bjöd in oss tidigt och lyssnade på vad vi hade att säga.", {"tidig_dialog"}),
    ("Vi gjorde en omvärldsanalys först.", {"tidig_dialog"}),
    # ... and the traps
    ("Leverantören visade systemet för personalen efter installationen.", set()),
    ("Vi fick många frågor från företagen under anbudstiden.", {"forfarande"}),
    ("Vi hade en dialog med kollegorna på avdelningen om schemat.", set()),
    ("Leverantören av smörgåsarna till mötet kom en timme för sent.", set()),
    ("Det var julmarknad på torget och alla köpte julklappar.", set()),
    # behov, and "behov" that is resurser or nothing
    ("Vi satt med undersköterskorna och kartlade vad de faktiskt behövde på natten.", {"behov"}),
    # functional requirements describe the need (behov) and are the requirements of the
    # tender documents (forfarande: "Procedure and requirements")
    ("Vi skrev funktionskrav i stället för att beskriva en viss produkt.", {"behov", "forfarande"}),
    ("Vi ska prata med IT-avdelningen innan vi skriver kraven.", {"forankring"}),
    ("Vi har ett stort behov av mer personal i projektet.", {"resurser"}),
    ("Vid behov kan ni ringa mig.", set()),
    ("Vi gick ut och frågade sköterskorna vad som var jobbigast på natten.", {"behov"}),
    ("Vi måste förstå varför patienterna faller.", {"behov"}),
    ("Vi ville inte börja i en produkt.", {"behov"}),
    ("Det fanns ett behov av att veta när någon har ramlat.", {"behov"}),
    ("Vi behöver fler sjuksköterskor på natten.", {"resurser"}),
    ("Patienten frågade om vi kunde komma tillbaka.", set()),
    ("Jag förstår varför, men det kändes konstigt.", set()),
    # kommersialisering vs. own roll-out (effekter)
    ("Företaget har sålt sin lösning till två regioner i Norge.", {"kommersialisering"}),
    ("Vi blev deras första kund, och det har öppnat dörrar för dem.", {"kommersialisering"}),
    ("Vi har infört lösningen på alla avdelningar i regionen.", {"effekter"}),
    # forfarande
    ("Vi valde ett innovationspartnerskap med tre faser och tydliga kriterier för att gå vidare.",
     {"forfarande"}),
    ("Utvärderingen viktade kvalitet högre än pris.", {"forfarande"}),
    # risk_regelverk, and a risk that is only weather
    ("Vi var rädda för att någon skulle överpröva tilldelningen.",
     {"risk_regelverk", "forfarande"}),
    ("LOU säger att alla leverantörer ska behandlas lika.", {"risk_regelverk"}),
    ("Det fanns en risk för snöstorm den dagen, så vi flyttade mötet.", set()),
    # forankring
    ("Regiondirektören har backat projektet hela vägen och gett oss mandat.", {"forankring"}),
    ("Min chef frågade om jag ville ha kaffe.", set()),
    # samverkan, not with the supplier, not in the church choir
    ("Vi gjorde upphandlingen gemensamt med fyra kommuner i Skåne.", {"samverkan"}),
    ("Vi har haft mycket stöd från Upphandlingsmyndigheten under arbetet.", {"samverkan"}),
    ("Vi har ett nära samarbete med leverantören under piloten.", set()),
    ("Vi är ett samarbete mellan två församlingar, så det blir mycket samverkan kring konserterna.",
     set()),
    ("Universitetet är med i projektet och står för mätningarna.", {"samverkan", "effekter"}),
    ("Vi har ett universitetssjukhus med många specialister.", set()),
    # kommersialisering: first buyer, the supplier's success; growth is not our staffing
    ("Vi var den första regionen som köpte det.", {"kommersialisering"}),
    ("Det är en bonus om företaget lyckas.", {"kommersialisering"}),
    ("Företaget har vuxit och anställt tio personer.", {"kommersialisering"}),
    # risk_regelverk: appeals in lay words, contact rules during a tender
    ("Man vet ju aldrig om någon överklagar.", {"risk_regelverk"}),
    ("Vi fick inte prata med verksamheten medan upphandlingen pågick.", {"risk_regelverk"}),
    # resurser
    ("Vinnova finansierar halva projektet, resten tar vi från vår egen budget.", {"resurser"}),
    # a key person leaving: capacity (resurser) and continuity/ownership (forankring)
    ("Projektledaren slutade i mars och vi stod utan någon i två månader.",
     {"resurser", "forankring"}),
    ("Upphandlarna måste vara med från början.", {"forankring"}),
    ("Kan vi visa att det fungerar blir det lättare att få med sig politiken.", {"forankring"}),
    ("Leverantören var med från början i piloten.", set()),
    # larande
    # a lesson (larande) about involving the procurement unit (forankring: procurers and operations)
    ("Det viktigaste vi har lärt oss är att ta med upphandlarna från början.",
     {"larande", "forankring"}),
    ("Vi har lärt känna grannarna i huset.", set()),
    # effekter, and effects in a film
    ("Antalet fallolyckor har minskat med en tredjedel sedan vi började.", {"effekter"}),
    ("Vi följer upp effekterna varje kvartal med nyckeltal.", {"effekter"}),
    ("Han lade på effekter och musik i filmen.", set()),
    # words that only look like a theme
    ("Vi kom in för tidigt i processen, tycker jag.", set()),          # tidigt is not tid
    ("Som jag nämnde var det en bra dag.", set()),                      # nämnde is not nämnden
    ("Jag spelar handboll i ett korpenlag, ett samarbete mellan kommunen och ett "
     "försäkringsbolag.", set()),
    ("Vi pratade med leverantören om fakturorna.", set()),
    ("Politikerna fick tycka till om förslaget.", {"forankring"}),
    ("Jag har femtio procent på projektet men jobbar mer.", {"resurser"}),
    ("Vi har inte hunnit med allt vi ville.", {"resurser"}),
    ("Det tar mycket tid från ordinarie arbete.", {"resurser"}),
    ("Vi har anställt fyra personer på grund av det här.", {"resurser"}),
    ("Vi har inte råd att vara med om de inte betalar för piloten.", {"resurser"}),
    ("Det är ett ansträngt ekonomiskt läge.", {"resurser"}),
    ("Jag har råd att säga nej.", set()),
    ("Vi gjorde en nollmätning innan testerna började.", {"effekter"}),
    ("Upphandlingen blev överprövad i förvaltningsrätten och det tog ett halvår.",
     {"risk_regelverk"}),
    # forfarande: negotiations inside the tender, IP as a contract term, the choice of
    # procedure, stage gates; a union's wage negotiation is not a tender
    ("Vi förhandlade med de två anbudsgivarna om villkoren i andra fasen.", {"forfarande"}),
    ("Facket ville förhandla om lönerna.", {"forankring"}),
    ("Företagen fick behålla de immateriella rättigheterna enligt avtalet.",
     {"forfarande", "kommersialisering"}),
    ("Det blev en innovationsupphandling och inte en vanlig upphandling.", {"forfarande"}),
    ("Vi har byggt in att vi kan avbryta efter varje steg.", {"forfarande"}),
    # effekter: measuring, getting better, routines; not a better mood
    ("Det är ingenting vi kan mäta än.", {"effekter"}),
    ("Vi vet inte om det har blivit bättre för de boende.", {"effekter"}),
    ("Det svåra är att få in det i deras rutiner.", {"effekter"}),
    ("Det blev bättre stämning i gruppen efter fikat.", set()),
    # larande: looking back, sharing with other buyers; not a hedge, not one's own degree
    ("Det gör jag inte om.", {"larande"}),
    ("Vi skulle nog ha bjudit in upphandlarna mycket tidigare.", {"larande", "forankring"}),
    ("Jag har berättat om projektet för andra upphandlare på en konferens.", {"larande"}),
    ("Jag skulle nog säga att det gick bra.", set()),
    ("Sen gick jag sjuksköterskeutbildningen i Lund.", set()),
    # traps named in the research brief and the gold notes, in new words
    ("Vi hade en dialog i projektgruppen om vem som skulle göra vad.", {"forankring"}),
    ("Det är en tuff arbetsmarknad, vi får inte tag på sjuksköterskor.", {"resurser"}),
    ("Uppföljningen av projektet görs av projektkontoret, det är mest rapporter.", set()),
    ("Vi följer upp budgeten varje månad.", {"resurser"}),
    ("Det var en risk att vi skulle missa tåget.", set()),
    ("Influensan spred sig på avdelningen.", set()),
    # back-channel turns carry no theme
    ("Mm.", set()),
    ("Ja, precis.", set()),
]


@pytest.mark.parametrize("text,expected", CASES, ids=[c[0][:40] for c in CASES])
def test_sentence_themes(themes_of, text, expected):
    assert themes_of(text) == expected


def test_sub_code_rfi_is_found(codebook, matcher):
    hits = matcher.match("Vi började med en RFI:n i januari, alltså en informationsförfrågan.")
    assert "tidig_dialog.rfi" in {h.code for h in hits}
