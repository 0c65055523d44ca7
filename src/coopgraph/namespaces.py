"""The coop: namespace, generated from ontology/coop.ttl by ``python -m coopgraph.codegen``.

Do not edit: edit the ontology and regenerate. A misspelt term raises instead of minting an IRI.
"""

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace

__all__ = ["COOP", "PREFIXES"]


class COOP(DefinedNamespace):
    """Terms of the coopgraph ontology."""

    _fail = True
    _NS = Namespace("https://w3id.org/coopgraph/ns#")

    AcademicTitle: URIRef
    ActingRector: URIRef
    ActionPlan: URIRef
    Agreement: URIRef
    AgreementCooperation: URIRef
    City: URIRef
    Completed: URIRef
    Conference: URIRef
    Cooperation: URIRef
    CooperationAgreement: URIRef
    CooperationKind: URIRef
    Country: URIRef
    CountryCooperation: URIRef
    DelegationMember: URIRef
    Department: URIRef
    DoubleDegreeProgramme: URIRef
    HeadOfDepartment: URIRef
    HeadOfInternationalOffice: URIRef
    Institution: URIRef
    InternationalOffice: URIRef
    JointProgramme: URIRef
    Meeting: URIRef
    MemorandumOfUnderstanding: URIRef
    Mobility: URIRef
    MobilityCooperation: URIRef
    MobilityKind: URIRef
    Museum: URIRef
    NewsArticle: URIRef
    Ongoing: URIRef
    PartialDate: URIRef
    Participation: URIRef
    Place: URIRef
    Planned: URIRef
    President: URIRef
    Professor: URIRef
    ProgrammeCooperation: URIRef
    Rector: URIRef
    Region: URIRef
    Registry: URIRef
    Role: URIRef
    SiteVisit: URIRef
    SourceDocument: URIRef
    StaffTeaching: URIRef
    StaffTraining: URIRef
    Status: URIRef
    StudentStudies: URIRef
    StudentTraineeship: URIRef
    Teacher: URIRef
    TermUse: URIRef
    TimelineEntry: URIRef
    Timestamp: URIRef
    Unit: URIRef
    University: URIRef
    Visit: URIRef
    VisitCooperation: URIRef
    about: URIRef
    academicTitle: URIRef
    acronym: URIRef
    agreementOrder: URIRef
    attended: URIRef
    audience: URIRef
    cooperatesWith: URIRef
    cooperationCount: URIRef
    cooperationKind: URIRef
    cooperationKinds: URIRef
    cooperationOrder: URIRef
    countryA: URIRef
    countryB: URIRef
    countryCode: URIRef
    discussedAt: URIRef
    displayLabel: URIRef
    eventCount: URIRef
    evidence: URIRef
    evidenceCount: URIRef
    expectedDomain: URIRef
    expectedOutcome: URIRef
    expectedRange: URIRef
    factCount: URIRef
    factKind: URIRef
    fieldOfStudy: URIRef
    fileName: URIRef
    firstTripStart: URIRef
    firstYear: URIRef
    gridId: URIRef
    heldIn: URIRef
    host: URIRef
    inCapacityOf: URIRef
    institutionPairs: URIRef
    isni: URIRef
    jsonKey: URIRef
    jsonReverseKey: URIRef
    jsonType: URIRef
    kinds: URIRef
    labelOrder: URIRef
    lastTripStart: URIRef
    lastYear: URIRef
    mobilityKind: URIRef
    mobilityKinds: URIRef
    mobilityOrder: URIRef
    official: URIRef
    participant: URIRef
    participantCount: URIRef
    participation: URIRef
    partner: URIRef
    party: URIRef
    plannedCount: URIRef
    programmeOrder: URIRef
    purpose: URIRef
    quote: URIRef
    receiver: URIRef
    roleInEvent: URIRef
    roles: URIRef
    sender: URIRef
    signatory: URIRef
    signedAt: URIRef
    signedOn: URIRef
    status: URIRef
    statusAsOf: URIRef
    statuses: URIRef
    term: URIRef
    topic: URIRef
    travellerOrder: URIRef
    tripCount: URIRef
    usedAs: URIRef
    visitOrder: URIRef
    visited: URIRef
    visitor: URIRef
    withdrawnRor: URIRef
    withinProgramme: URIRef
    year: URIRef


PREFIXES: dict[str, str] = {
    "coop": "https://w3id.org/coopgraph/ns#",
    "cgid": "https://w3id.org/coopgraph/id/",
    "cgraph": "https://w3id.org/coopgraph/graph/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "http://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "void": "http://rdfs.org/ns/void#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
