export namespace eventlog {
	
	export class VerifyReport {
	    ok: boolean;
	    checked: number;
	    headSeq: number;
	    firstBad: number;
	    problem: string;
	    detail: string;
	
	    static createFrom(source: any = {}) {
	        return new VerifyReport(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.ok = source["ok"];
	        this.checked = source["checked"];
	        this.headSeq = source["headSeq"];
	        this.firstBad = source["firstBad"];
	        this.problem = source["problem"];
	        this.detail = source["detail"];
	    }
	}

}

export namespace kernel {
	
	export class RunInfo {
	    id: string;
	    workspace: string;
	    worker: string;
	    task: string;
	    state: string;
	    version: number;
	    createdAt: number;
	    updatedAt: number;
	    autoCommit: boolean;
	    revertOf: string;
	    revertedBy: string;
	    reason: string;
	    approved: boolean;
	    outcome: string;
	
	    static createFrom(source: any = {}) {
	        return new RunInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.workspace = source["workspace"];
	        this.worker = source["worker"];
	        this.task = source["task"];
	        this.state = source["state"];
	        this.version = source["version"];
	        this.createdAt = source["createdAt"];
	        this.updatedAt = source["updatedAt"];
	        this.autoCommit = source["autoCommit"];
	        this.revertOf = source["revertOf"];
	        this.revertedBy = source["revertedBy"];
	        this.reason = source["reason"];
	        this.approved = source["approved"];
	        this.outcome = source["outcome"];
	    }
	}

}

export namespace ollama {
	
	export class Status {
	    host: string;
	    reachable: boolean;
	    version: string;
	    error: string;
	    checkedAt: number;
	
	    static createFrom(source: any = {}) {
	        return new Status(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.host = source["host"];
	        this.reachable = source["reachable"];
	        this.version = source["version"];
	        this.error = source["error"];
	        this.checkedAt = source["checkedAt"];
	    }
	}

}

export namespace search {
	
	export class FileMatch {
	    path: string;
	    score: number;
	    positions: number[];
	
	    static createFrom(source: any = {}) {
	        return new FileMatch(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.score = source["score"];
	        this.positions = source["positions"];
	    }
	}
	export class Query {
	    pattern: string;
	    regex: boolean;
	    caseSensitive: boolean;
	    wholeWord: boolean;
	    include: string[];
	    exclude: string[];
	    maxResults: number;
	
	    static createFrom(source: any = {}) {
	        return new Query(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.pattern = source["pattern"];
	        this.regex = source["regex"];
	        this.caseSensitive = source["caseSensitive"];
	        this.wholeWord = source["wholeWord"];
	        this.include = source["include"];
	        this.exclude = source["exclude"];
	        this.maxResults = source["maxResults"];
	    }
	}

}

export namespace studio {
	
	export class AbortRunRequest {
	    id: string;
	    reason: string;
	
	    static createFrom(source: any = {}) {
	        return new AbortRunRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.reason = source["reason"];
	    }
	}
	export class BlobText {
	    hash: string;
	    text: string;
	    size: number;
	    binary: boolean;
	    truncated: boolean;
	
	    static createFrom(source: any = {}) {
	        return new BlobText(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.hash = source["hash"];
	        this.text = source["text"];
	        this.size = source["size"];
	        this.binary = source["binary"];
	        this.truncated = source["truncated"];
	    }
	}
	export class CancelSearchRequest {
	    id: string;
	
	    static createFrom(source: any = {}) {
	        return new CancelSearchRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	    }
	}
	export class EventDetail {
	    seq: number;
	    id: string;
	    at: number;
	    type: string;
	    origin: string;
	    stream: string;
	    version: number;
	    workspace: string;
	    run: string;
	    causation: string;
	    schema: number;
	    correlation: string;
	    payload: string;
	    hash: string;
	    prevHash: string;
	    causationSeq: number;
	
	    static createFrom(source: any = {}) {
	        return new EventDetail(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.seq = source["seq"];
	        this.id = source["id"];
	        this.at = source["at"];
	        this.type = source["type"];
	        this.origin = source["origin"];
	        this.stream = source["stream"];
	        this.version = source["version"];
	        this.workspace = source["workspace"];
	        this.run = source["run"];
	        this.causation = source["causation"];
	        this.schema = source["schema"];
	        this.correlation = source["correlation"];
	        this.payload = source["payload"];
	        this.hash = source["hash"];
	        this.prevHash = source["prevHash"];
	        this.causationSeq = source["causationSeq"];
	    }
	}
	export class EventFacets {
	    types: string[];
	    origins: string[];
	    workspaces: string[];
	    runs: string[];
	
	    static createFrom(source: any = {}) {
	        return new EventFacets(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.types = source["types"];
	        this.origins = source["origins"];
	        this.workspaces = source["workspaces"];
	        this.runs = source["runs"];
	    }
	}
	export class EventFilter {
	    type: string;
	    origin: string;
	    workspace: string;
	    run: string;
	
	    static createFrom(source: any = {}) {
	        return new EventFilter(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.type = source["type"];
	        this.origin = source["origin"];
	        this.workspace = source["workspace"];
	        this.run = source["run"];
	    }
	}
	export class EventRow {
	    seq: number;
	    id: string;
	    at: number;
	    type: string;
	    origin: string;
	    stream: string;
	    version: number;
	    workspace: string;
	    run: string;
	    causation: string;
	
	    static createFrom(source: any = {}) {
	        return new EventRow(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.seq = source["seq"];
	        this.id = source["id"];
	        this.at = source["at"];
	        this.type = source["type"];
	        this.origin = source["origin"];
	        this.stream = source["stream"];
	        this.version = source["version"];
	        this.workspace = source["workspace"];
	        this.run = source["run"];
	        this.causation = source["causation"];
	    }
	}
	export class EventPage {
	    total: number;
	    offset: number;
	    rows: EventRow[];
	
	    static createFrom(source: any = {}) {
	        return new EventPage(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.total = source["total"];
	        this.offset = source["offset"];
	        this.rows = this.convertValues(source["rows"], EventRow);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class FileChange {
	    path: string;
	    op: string;
	    before: string;
	    after: string;
	    beforeExists: boolean;
	    afterExists: boolean;
	    binary: boolean;
	    truncated: boolean;
	
	    static createFrom(source: any = {}) {
	        return new FileChange(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.op = source["op"];
	        this.before = source["before"];
	        this.after = source["after"];
	        this.beforeExists = source["beforeExists"];
	        this.afterExists = source["afterExists"];
	        this.binary = source["binary"];
	        this.truncated = source["truncated"];
	    }
	}
	export class FileContent {
	    path: string;
	    content: string;
	    size: number;
	    binary: boolean;
	    truncated: boolean;
	
	    static createFrom(source: any = {}) {
	        return new FileContent(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.content = source["content"];
	        this.size = source["size"];
	        this.binary = source["binary"];
	        this.truncated = source["truncated"];
	    }
	}
	export class FindFilesRequest {
	    workspaceId: string;
	    query: string;
	    limit: number;
	
	    static createFrom(source: any = {}) {
	        return new FindFilesRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.workspaceId = source["workspaceId"];
	        this.query = source["query"];
	        this.limit = source["limit"];
	    }
	}
	export class ForgetRecentRequest {
	    path: string;
	
	    static createFrom(source: any = {}) {
	        return new ForgetRecentRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	    }
	}
	export class FrontendReadyRequest {
	    transport: string;
	    userAgent: string;
	
	    static createFrom(source: any = {}) {
	        return new FrontendReadyRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.transport = source["transport"];
	        this.userAgent = source["userAgent"];
	    }
	}
	export class GetEventRequest {
	    seq: number;
	    id: string;
	
	    static createFrom(source: any = {}) {
	        return new GetEventRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.seq = source["seq"];
	        this.id = source["id"];
	    }
	}
	export class IndexStatus {
	    state: string;
	    total: number;
	    indexed: number;
	    bytes: number;
	    error?: string;
	
	    static createFrom(source: any = {}) {
	        return new IndexStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.state = source["state"];
	        this.total = source["total"];
	        this.indexed = source["indexed"];
	        this.bytes = source["bytes"];
	        this.error = source["error"];
	    }
	}
	export class Info {
	    version: string;
	    mode: string;
	    dataDir: string;
	    logFile: string;
	    ollamaHost: string;
	
	    static createFrom(source: any = {}) {
	        return new Info(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.version = source["version"];
	        this.mode = source["mode"];
	        this.dataDir = source["dataDir"];
	        this.logFile = source["logFile"];
	        this.ollamaHost = source["ollamaHost"];
	    }
	}
	export class ListDirRequest {
	    workspaceId: string;
	    path: string;
	
	    static createFrom(source: any = {}) {
	        return new ListDirRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.workspaceId = source["workspaceId"];
	        this.path = source["path"];
	    }
	}
	export class ListEventsRequest {
	    filter: EventFilter;
	    offset: number;
	    limit: number;
	
	    static createFrom(source: any = {}) {
	        return new ListEventsRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.filter = this.convertValues(source["filter"], EventFilter);
	        this.offset = source["offset"];
	        this.limit = source["limit"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ListRunsRequest {
	    workspaceId: string;
	
	    static createFrom(source: any = {}) {
	        return new ListRunsRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.workspaceId = source["workspaceId"];
	    }
	}
	export class OpenFolderRequest {
	    path: string;
	
	    static createFrom(source: any = {}) {
	        return new OpenFolderRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	    }
	}
	export class ReadBlobRequest {
	    hash: string;
	
	    static createFrom(source: any = {}) {
	        return new ReadBlobRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.hash = source["hash"];
	    }
	}
	export class ReadFileRequest {
	    workspaceId: string;
	    path: string;
	
	    static createFrom(source: any = {}) {
	        return new ReadFileRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.workspaceId = source["workspaceId"];
	        this.path = source["path"];
	    }
	}
	export class RunDetail {
	    run: kernel.RunInfo;
	    changes: FileChange[];
	
	    static createFrom(source: any = {}) {
	        return new RunDetail(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.run = this.convertValues(source["run"], kernel.RunInfo);
	        this.changes = this.convertValues(source["changes"], FileChange);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class RunOptions {
	    autoCommit: boolean;
	    validationCommand: string;
	    maxSteps: number;
	    wallClockSeconds: number;
	
	    static createFrom(source: any = {}) {
	        return new RunOptions(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.autoCommit = source["autoCommit"];
	        this.validationCommand = source["validationCommand"];
	        this.maxSteps = source["maxSteps"];
	        this.wallClockSeconds = source["wallClockSeconds"];
	    }
	}
	export class RunRequest {
	    id: string;
	
	    static createFrom(source: any = {}) {
	        return new RunRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	    }
	}
	export class SearchRequest {
	    workspaceId: string;
	    query: search.Query;
	
	    static createFrom(source: any = {}) {
	        return new SearchRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.workspaceId = source["workspaceId"];
	        this.query = this.convertValues(source["query"], search.Query);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class SearchStarted {
	    id: string;
	
	    static createFrom(source: any = {}) {
	        return new SearchStarted(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	    }
	}
	export class StartEditRunRequest {
	    workspaceId: string;
	    path: string;
	    content: string;
	    options: RunOptions;
	
	    static createFrom(source: any = {}) {
	        return new StartEditRunRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.workspaceId = source["workspaceId"];
	        this.path = source["path"];
	        this.content = source["content"];
	        this.options = this.convertValues(source["options"], RunOptions);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class StartReplaceRunRequest {
	    workspaceId: string;
	    find: string;
	    replace: string;
	    under: string;
	    options: RunOptions;
	
	    static createFrom(source: any = {}) {
	        return new StartReplaceRunRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.workspaceId = source["workspaceId"];
	        this.find = source["find"];
	        this.replace = source["replace"];
	        this.under = source["under"];
	        this.options = this.convertValues(source["options"], RunOptions);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Workspace {
	    id: string;
	    root: string;
	    name: string;
	    openedAt: number;
	
	    static createFrom(source: any = {}) {
	        return new Workspace(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.root = source["root"];
	        this.name = source["name"];
	        this.openedAt = source["openedAt"];
	    }
	}
	export class StartupResponse {
	    info: Info;
	    recent: workspace.RecentFolder[];
	    workspaces: Workspace[];
	    notices: string[];
	
	    static createFrom(source: any = {}) {
	        return new StartupResponse(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.info = this.convertValues(source["info"], Info);
	        this.recent = this.convertValues(source["recent"], workspace.RecentFolder);
	        this.workspaces = this.convertValues(source["workspaces"], Workspace);
	        this.notices = source["notices"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class WorkspaceRequest {
	    workspaceId: string;
	
	    static createFrom(source: any = {}) {
	        return new WorkspaceRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.workspaceId = source["workspaceId"];
	    }
	}
	export class WorkspaceStatus {
	    workspaceId: string;
	    watch: workspace.WatchStatus;
	    index: IndexStatus;
	    recordError?: string;
	
	    static createFrom(source: any = {}) {
	        return new WorkspaceStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.workspaceId = source["workspaceId"];
	        this.watch = this.convertValues(source["watch"], workspace.WatchStatus);
	        this.index = this.convertValues(source["index"], IndexStatus);
	        this.recordError = source["recordError"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace workspace {
	
	export class Entry {
	    name: string;
	    path: string;
	    kind: string;
	    size: number;
	    modTime: number;
	
	    static createFrom(source: any = {}) {
	        return new Entry(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.path = source["path"];
	        this.kind = source["kind"];
	        this.size = source["size"];
	        this.modTime = source["modTime"];
	    }
	}
	export class Listing {
	    path: string;
	    entries: Entry[];
	    truncated: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Listing(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.entries = this.convertValues(source["entries"], Entry);
	        this.truncated = source["truncated"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class RecentFolder {
	    path: string;
	    name: string;
	    openedAt: number;
	    missing: boolean;
	
	    static createFrom(source: any = {}) {
	        return new RecentFolder(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.name = source["name"];
	        this.openedAt = source["openedAt"];
	        this.missing = source["missing"];
	    }
	}
	export class Warning {
	    path: string;
	    reason: string;
	
	    static createFrom(source: any = {}) {
	        return new Warning(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.reason = source["reason"];
	    }
	}
	export class WatchStatus {
	    mode: string;
	    reason?: string;
	    watches: number;
	    files: number;
	    rescans: number;
	    warnings?: Warning[];
	
	    static createFrom(source: any = {}) {
	        return new WatchStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.mode = source["mode"];
	        this.reason = source["reason"];
	        this.watches = source["watches"];
	        this.files = source["files"];
	        this.rescans = source["rescans"];
	        this.warnings = this.convertValues(source["warnings"], Warning);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

