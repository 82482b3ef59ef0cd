export namespace agent {
	
	export class ResponsePayload {
	    step: number;
	    model: string;
	    digest?: string;
	    message?: string;
	    content: string;
	    toolCalls?: string[];
	    doneReason?: string;
	    promptTokens: number;
	    evalTokens: number;
	    totalNs: number;
	    loadNs: number;
	    promptEvalNs: number;
	    evalNs: number;
	    firstTokenMs: number;
	    wallMs: number;
	    chunks: number;
	    error?: string;
	    purpose?: string;
	    window?: number;
	
	    static createFrom(source: any = {}) {
	        return new ResponsePayload(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.step = source["step"];
	        this.model = source["model"];
	        this.digest = source["digest"];
	        this.message = source["message"];
	        this.content = source["content"];
	        this.toolCalls = source["toolCalls"];
	        this.doneReason = source["doneReason"];
	        this.promptTokens = source["promptTokens"];
	        this.evalTokens = source["evalTokens"];
	        this.totalNs = source["totalNs"];
	        this.loadNs = source["loadNs"];
	        this.promptEvalNs = source["promptEvalNs"];
	        this.evalNs = source["evalNs"];
	        this.firstTokenMs = source["firstTokenMs"];
	        this.wallMs = source["wallMs"];
	        this.chunks = source["chunks"];
	        this.error = source["error"];
	        this.purpose = source["purpose"];
	        this.window = source["window"];
	    }
	}

}

export namespace api {
	
	export class ToolCallFunctionArguments {
	
	
	    static createFrom(source: any = {}) {
	        return new ToolCallFunctionArguments(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	
	    }
	}
	export class ToolCallFunction {
	    index: number;
	    name: string;
	    // Go type: ToolCallFunctionArguments
	    arguments: any;
	
	    static createFrom(source: any = {}) {
	        return new ToolCallFunction(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.index = source["index"];
	        this.name = source["name"];
	        this.arguments = this.convertValues(source["arguments"], null);
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
	export class ToolCall {
	    id?: string;
	    function: ToolCallFunction;
	
	    static createFrom(source: any = {}) {
	        return new ToolCall(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.function = this.convertValues(source["function"], ToolCallFunction);
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
	export class Message {
	    role: string;
	    content: string;
	    thinking?: string;
	    images?: number[][];
	    tool_calls?: ToolCall[];
	    tool_name?: string;
	    tool_call_id?: string;
	
	    static createFrom(source: any = {}) {
	        return new Message(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.role = source["role"];
	        this.content = source["content"];
	        this.thinking = source["thinking"];
	        this.images = source["images"];
	        this.tool_calls = this.convertValues(source["tool_calls"], ToolCall);
	        this.tool_name = source["tool_name"];
	        this.tool_call_id = source["tool_call_id"];
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

export namespace capability {
	
	export class Limits {
	    cpuTimeMs?: number;
	    wallClockMs?: number;
	    memoryBytes?: number;
	    processes?: number;
	    outputBytes?: number;
	
	    static createFrom(source: any = {}) {
	        return new Limits(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.cpuTimeMs = source["cpuTimeMs"];
	        this.wallClockMs = source["wallClockMs"];
	        this.memoryBytes = source["memoryBytes"];
	        this.processes = source["processes"];
	        this.outputBytes = source["outputBytes"];
	    }
	}
	export class Scope {
	    glob?: string;
	    argv?: string[];
	    host?: string;
	    model?: string;
	    endpoint?: string;
	    memory?: string;
	    limits?: Limits;
	    tool?: string;
	    args?: {[key: string]: string};
	
	    static createFrom(source: any = {}) {
	        return new Scope(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.glob = source["glob"];
	        this.argv = source["argv"];
	        this.host = source["host"];
	        this.model = source["model"];
	        this.endpoint = source["endpoint"];
	        this.memory = source["memory"];
	        this.limits = this.convertValues(source["limits"], Limits);
	        this.tool = source["tool"];
	        this.args = source["args"];
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
	export class Grant {
	    id: string;
	    kind: string;
	    scope: Scope;
	    workspace: string;
	    run?: string;
	    expiresAt?: number;
	    maxUses?: number;
	    issuedBy: string;
	    reason: string;
	    grantedAt: number;
	    grantedSeq: number;
	    uses: number;
	    revoked: boolean;
	    expired: boolean;
	    endedSeq?: number;
	    describe: string;
	
	    static createFrom(source: any = {}) {
	        return new Grant(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.kind = source["kind"];
	        this.scope = this.convertValues(source["scope"], Scope);
	        this.workspace = source["workspace"];
	        this.run = source["run"];
	        this.expiresAt = source["expiresAt"];
	        this.maxUses = source["maxUses"];
	        this.issuedBy = source["issuedBy"];
	        this.reason = source["reason"];
	        this.grantedAt = source["grantedAt"];
	        this.grantedSeq = source["grantedSeq"];
	        this.uses = source["uses"];
	        this.revoked = source["revoked"];
	        this.expired = source["expired"];
	        this.endedSeq = source["endedSeq"];
	        this.describe = source["describe"];
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
	
	export class SandboxPolicy {
	    env?: string[];
	    limits: Limits;
	    unsandboxed?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new SandboxPolicy(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.env = source["env"];
	        this.limits = this.convertValues(source["limits"], Limits);
	        this.unsandboxed = source["unsandboxed"];
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
	export class Rule {
	    kind: string;
	    scope: Scope;
	    effect: string;
	
	    static createFrom(source: any = {}) {
	        return new Rule(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.kind = source["kind"];
	        this.scope = this.convertValues(source["scope"], Scope);
	        this.effect = source["effect"];
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
	export class Policy {
	    rules: Rule[];
	    memoryOnSourceChange?: string;
	    sandbox: SandboxPolicy;
	
	    static createFrom(source: any = {}) {
	        return new Policy(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.rules = this.convertValues(source["rules"], Rule);
	        this.memoryOnSourceChange = source["memoryOnSourceChange"];
	        this.sandbox = this.convertValues(source["sandbox"], SandboxPolicy);
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
	export class Request {
	    kind: string;
	    path?: string;
	    argv?: string[];
	    dir?: string;
	    host?: string;
	    port?: number;
	    model?: string;
	    endpoint?: string;
	    memory?: string;
	    server?: string;
	    tool?: string;
	    args?: number[];
	    def?: string;
	
	    static createFrom(source: any = {}) {
	        return new Request(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.kind = source["kind"];
	        this.path = source["path"];
	        this.argv = source["argv"];
	        this.dir = source["dir"];
	        this.host = source["host"];
	        this.port = source["port"];
	        this.model = source["model"];
	        this.endpoint = source["endpoint"];
	        this.memory = source["memory"];
	        this.server = source["server"];
	        this.tool = source["tool"];
	        this.args = source["args"];
	        this.def = source["def"];
	    }
	}
	
	

}

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
	
	export class ScopeChoice {
	    id: string;
	    label: string;
	    scope: capability.Scope;
	    describe: string;
	    runOnly?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new ScopeChoice(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.label = source["label"];
	        this.scope = this.convertValues(source["scope"], capability.Scope);
	        this.describe = source["describe"];
	        this.runOnly = source["runOnly"];
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
	export class MCPDetail {
	    server: string;
	    tool: string;
	    title?: string;
	    description: string;
	    arguments: string;
	    hash: string;
	    inputSchema?: number[];
	
	    static createFrom(source: any = {}) {
	        return new MCPDetail(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server = source["server"];
	        this.tool = source["tool"];
	        this.title = source["title"];
	        this.description = source["description"];
	        this.arguments = source["arguments"];
	        this.hash = source["hash"];
	        this.inputSchema = source["inputSchema"];
	    }
	}
	export class SandboxDetail {
	    mode: string;
	    network: string;
	    writable: string[];
	    limits: capability.Limits;
	    reason?: string;
	
	    static createFrom(source: any = {}) {
	        return new SandboxDetail(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.mode = source["mode"];
	        this.network = source["network"];
	        this.writable = source["writable"];
	        this.limits = this.convertValues(source["limits"], capability.Limits);
	        this.reason = source["reason"];
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
	export class EffectDetail {
	    op?: string;
	    base?: string;
	    after?: string;
	    argv?: string[];
	    dir?: string;
	    host?: string;
	    sandbox?: SandboxDetail;
	    mcp?: MCPDetail;
	
	    static createFrom(source: any = {}) {
	        return new EffectDetail(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.op = source["op"];
	        this.base = source["base"];
	        this.after = source["after"];
	        this.argv = source["argv"];
	        this.dir = source["dir"];
	        this.host = source["host"];
	        this.sandbox = this.convertValues(source["sandbox"], SandboxDetail);
	        this.mcp = this.convertValues(source["mcp"], MCPDetail);
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
	export class Ask {
	    id: string;
	    run: string;
	    kind: string;
	    target: string;
	    req: capability.Request;
	    reason: string;
	    detail?: EffectDetail;
	    seq: number;
	    scopes?: ScopeChoice[];
	
	    static createFrom(source: any = {}) {
	        return new Ask(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.run = source["run"];
	        this.kind = source["kind"];
	        this.target = source["target"];
	        this.req = this.convertValues(source["req"], capability.Request);
	        this.reason = source["reason"];
	        this.detail = this.convertValues(source["detail"], EffectDetail);
	        this.seq = source["seq"];
	        this.scopes = this.convertValues(source["scopes"], ScopeChoice);
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
	export class Carried {
	    run: string;
	    files: string[];
	
	    static createFrom(source: any = {}) {
	        return new Carried(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.run = source["run"];
	        this.files = source["files"];
	    }
	}
	
	export class HunkLine {
	    kind: string;
	    text: string;
	
	    static createFrom(source: any = {}) {
	        return new HunkLine(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.kind = source["kind"];
	        this.text = source["text"];
	    }
	}
	export class Hunk {
	    id: string;
	    oldStart: number;
	    oldLines: number;
	    newStart: number;
	    newLines: number;
	    lines: HunkLine[];
	
	    static createFrom(source: any = {}) {
	        return new Hunk(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.oldStart = source["oldStart"];
	        this.oldLines = source["oldLines"];
	        this.newStart = source["newStart"];
	        this.newLines = source["newLines"];
	        this.lines = this.convertValues(source["lines"], HunkLine);
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
	export class FileHunks {
	    path: string;
	    op: string;
	    added: number;
	    removed: number;
	    binary: boolean;
	    whole: boolean;
	    hunks: Hunk[];
	
	    static createFrom(source: any = {}) {
	        return new FileHunks(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.op = source["op"];
	        this.added = source["added"];
	        this.removed = source["removed"];
	        this.binary = source["binary"];
	        this.whole = source["whole"];
	        this.hunks = this.convertValues(source["hunks"], Hunk);
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
	export class FileRef {
	    path: string;
	    hash: string;
	    folder?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new FileRef(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.hash = source["hash"];
	        this.folder = source["folder"];
	    }
	}
	export class GitCommitRequest {
	    run: string;
	    message: string;
	
	    static createFrom(source: any = {}) {
	        return new GitCommitRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.run = source["run"];
	        this.message = source["message"];
	    }
	}
	export class GitCommitResult {
	    state: string;
	    hash?: string;
	    branch?: string;
	    files: string[];
	    message: string;
	    error?: string;
	    stderr?: string;
	    ask?: string;
	
	    static createFrom(source: any = {}) {
	        return new GitCommitResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.state = source["state"];
	        this.hash = source["hash"];
	        this.branch = source["branch"];
	        this.files = source["files"];
	        this.message = source["message"];
	        this.error = source["error"];
	        this.stderr = source["stderr"];
	        this.ask = source["ask"];
	    }
	}
	
	
	
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
	    profile: string;
	    model: string;
	    validationCommand: string[];
	    waiting: boolean;
	
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
	        this.profile = source["profile"];
	        this.model = source["model"];
	        this.validationCommand = source["validationCommand"];
	        this.waiting = source["waiting"];
	    }
	}
	export class PartialResult {
	    run: RunInfo;
	    written: string[];
	    accepted: number;
	    rejected: number;
	    committed: boolean;
	    reason: string;
	
	    static createFrom(source: any = {}) {
	        return new PartialResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.run = this.convertValues(source["run"], RunInfo);
	        this.written = source["written"];
	        this.accepted = source["accepted"];
	        this.rejected = source["rejected"];
	        this.committed = source["committed"];
	        this.reason = source["reason"];
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
	
	
	
	export class Selection {
	    path: string;
	    startLine: number;
	    endLine: number;
	    blob: string;
	
	    static createFrom(source: any = {}) {
	        return new Selection(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.startLine = source["startLine"];
	        this.endLine = source["endLine"];
	        this.blob = source["blob"];
	    }
	}
	export class ThreadInfo {
	    id: string;
	    workspace: string;
	    title: string;
	    createdAt: number;
	    updatedAt: number;
	    hidden: boolean;
	    forkOf: string;
	    forkTurn: number;
	    turns: number;
	
	    static createFrom(source: any = {}) {
	        return new ThreadInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.workspace = source["workspace"];
	        this.title = source["title"];
	        this.createdAt = source["createdAt"];
	        this.updatedAt = source["updatedAt"];
	        this.hidden = source["hidden"];
	        this.forkOf = source["forkOf"];
	        this.forkTurn = source["forkTurn"];
	        this.turns = source["turns"];
	    }
	}

}

export namespace main {
	
	export class SavedExport {
	    path: string;
	
	    static createFrom(source: any = {}) {
	        return new SavedExport(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	    }
	}

}

export namespace mcp {
	
	export class PromptArgument {
	    name: string;
	    description?: string;
	    required?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new PromptArgument(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.description = source["description"];
	        this.required = source["required"];
	    }
	}
	export class Prompt {
	    name: string;
	    description?: string;
	    arguments?: PromptArgument[];
	
	    static createFrom(source: any = {}) {
	        return new Prompt(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.description = source["description"];
	        this.arguments = this.convertValues(source["arguments"], PromptArgument);
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
	
	export class Resource {
	    uri: string;
	    name: string;
	    description?: string;
	    mimeType?: string;
	
	    static createFrom(source: any = {}) {
	        return new Resource(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.uri = source["uri"];
	        this.name = source["name"];
	        this.description = source["description"];
	        this.mimeType = source["mimeType"];
	    }
	}
	export class Tool {
	    server: string;
	    name: string;
	    title?: string;
	    description: string;
	    inputSchema: number[];
	    annotations?: number[];
	    hash: string;
	    disabled?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Tool(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server = source["server"];
	        this.name = source["name"];
	        this.title = source["title"];
	        this.description = source["description"];
	        this.inputSchema = source["inputSchema"];
	        this.annotations = source["annotations"];
	        this.hash = source["hash"];
	        this.disabled = source["disabled"];
	    }
	}

}

export namespace memory {
	
	export class FileRef {
	    path: string;
	    hash: string;
	
	    static createFrom(source: any = {}) {
	        return new FileRef(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.hash = source["hash"];
	    }
	}
	export class Filter {
	    workspace: string;
	    kind: string;
	    scope: string;
	    state: string;
	    limit: number;
	
	    static createFrom(source: any = {}) {
	        return new Filter(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.workspace = source["workspace"];
	        this.kind = source["kind"];
	        this.scope = source["scope"];
	        this.state = source["state"];
	        this.limit = source["limit"];
	    }
	}
	export class Sources {
	    events: string[];
	    files: FileRef[];
	    run?: string;
	    note?: string;
	
	    static createFrom(source: any = {}) {
	        return new Sources(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.events = source["events"];
	        this.files = this.convertValues(source["files"], FileRef);
	        this.run = source["run"];
	        this.note = source["note"];
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
	export class Memory {
	    id: string;
	    version: number;
	    workspace: string;
	    kind: string;
	    scope: string;
	    content: string;
	    confidence: number;
	    effective: number;
	    ttlSeconds: number;
	    decayDays: number;
	    onChange: string;
	    state: string;
	    stateReason: string;
	    needsReview: string;
	    createdAt: number;
	    expiresAt: number;
	    endedAt: number;
	    sources: Sources;
	    promotedSeq: number;
	    endedSeq: number;
	    score?: number;
	
	    static createFrom(source: any = {}) {
	        return new Memory(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.version = source["version"];
	        this.workspace = source["workspace"];
	        this.kind = source["kind"];
	        this.scope = source["scope"];
	        this.content = source["content"];
	        this.confidence = source["confidence"];
	        this.effective = source["effective"];
	        this.ttlSeconds = source["ttlSeconds"];
	        this.decayDays = source["decayDays"];
	        this.onChange = source["onChange"];
	        this.state = source["state"];
	        this.stateReason = source["stateReason"];
	        this.needsReview = source["needsReview"];
	        this.createdAt = source["createdAt"];
	        this.expiresAt = source["expiresAt"];
	        this.endedAt = source["endedAt"];
	        this.sources = this.convertValues(source["sources"], Sources);
	        this.promotedSeq = source["promotedSeq"];
	        this.endedSeq = source["endedSeq"];
	        this.score = source["score"];
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
	export class Spec {
	    kind: string;
	    scope: string;
	    content: string;
	    confidence: number;
	    ttlSeconds: number;
	    decayDays: number;
	    onChange?: string;
	
	    static createFrom(source: any = {}) {
	        return new Spec(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.kind = source["kind"];
	        this.scope = source["scope"];
	        this.content = source["content"];
	        this.confidence = source["confidence"];
	        this.ttlSeconds = source["ttlSeconds"];
	        this.decayDays = source["decayDays"];
	        this.onChange = source["onChange"];
	    }
	}
	export class Proposal {
	    id: string;
	    workspace: string;
	    run: string;
	    spec: Spec;
	    events: string[];
	    state: string;
	    reason: string;
	    proposedAt: number;
	    memory: string;
	
	    static createFrom(source: any = {}) {
	        return new Proposal(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.workspace = source["workspace"];
	        this.run = source["run"];
	        this.spec = this.convertValues(source["spec"], Spec);
	        this.events = source["events"];
	        this.state = source["state"];
	        this.reason = source["reason"];
	        this.proposedAt = source["proposedAt"];
	        this.memory = source["memory"];
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

export namespace ollama {
	
	export class Fit {
	    verdict: string;
	    window: number;
	    weights: number;
	    kvCache: number;
	    need: number;
	    total: number;
	    available: number;
	
	    static createFrom(source: any = {}) {
	        return new Fit(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.verdict = source["verdict"];
	        this.window = source["window"];
	        this.weights = source["weights"];
	        this.kvCache = source["kvCache"];
	        this.need = source["need"];
	        this.total = source["total"];
	        this.available = source["available"];
	    }
	}
	export class Memory {
	    total: number;
	    available: number;
	
	    static createFrom(source: any = {}) {
	        return new Memory(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.total = source["total"];
	        this.available = source["available"];
	    }
	}
	export class Running {
	    name: string;
	    size: number;
	    vram: number;
	    expiresAt: number;
	    contextLength?: number;
	
	    static createFrom(source: any = {}) {
	        return new Running(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.size = source["size"];
	        this.vram = source["vram"];
	        this.expiresAt = source["expiresAt"];
	        this.contextLength = source["contextLength"];
	    }
	}
	export class Model {
	    name: string;
	    digest: string;
	    size: number;
	    modifiedAt: number;
	    family: string;
	    parameters: string;
	    quantization: string;
	    format: string;
	    capabilities: string[];
	    contextLength?: number;
	    kvBytesPerToken?: number;
	    display?: string;
	    loaded?: Running;
	    fit?: Fit;
	
	    static createFrom(source: any = {}) {
	        return new Model(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.digest = source["digest"];
	        this.size = source["size"];
	        this.modifiedAt = source["modifiedAt"];
	        this.family = source["family"];
	        this.parameters = source["parameters"];
	        this.quantization = source["quantization"];
	        this.format = source["format"];
	        this.capabilities = source["capabilities"];
	        this.contextLength = source["contextLength"];
	        this.kvBytesPerToken = source["kvBytesPerToken"];
	        this.display = source["display"];
	        this.loaded = this.convertValues(source["loaded"], Running);
	        this.fit = this.convertValues(source["fit"], Fit);
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
	
	export class Status {
	    host: string;
	    reachable: boolean;
	    version: string;
	    error: string;
	    checkedAt: number;
	    canStart: boolean;
	    started: boolean;
	
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
	        this.canStart = source["canStart"];
	        this.started = source["started"];
	    }
	}

}

export namespace report {
	
	export class Rendered {
	    fileName: string;
	    mime: string;
	    content: string;
	
	    static createFrom(source: any = {}) {
	        return new Rendered(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.fileName = source["fileName"];
	        this.mime = source["mime"];
	        this.content = source["content"];
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
	export class AddEndpointRequest {
	    name: string;
	    kind: string;
	    url: string;
	    apiKey: string;
	
	    static createFrom(source: any = {}) {
	        return new AddEndpointRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.kind = source["kind"];
	        this.url = source["url"];
	        this.apiKey = source["apiKey"];
	    }
	}
	export class RunOptions {
	    profile: string;
	    autoCommit: boolean;
	    validationCommand: string;
	    maxSteps: number;
	    wallClockSeconds: number;
	
	    static createFrom(source: any = {}) {
	        return new RunOptions(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.profile = source["profile"];
	        this.autoCommit = source["autoCommit"];
	        this.validationCommand = source["validationCommand"];
	        this.maxSteps = source["maxSteps"];
	        this.wallClockSeconds = source["wallClockSeconds"];
	    }
	}
	export class AgentParams {
	    model: string;
	    endpoint?: string;
	    options: RunOptions;
	    maxTokens: number;
	    maxTurns: number;
	    temperature?: number;
	    seed?: number;
	    numCtx: number;
	    numPredict: number;
	    unmanaged: boolean;
	
	    static createFrom(source: any = {}) {
	        return new AgentParams(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.model = source["model"];
	        this.endpoint = source["endpoint"];
	        this.options = this.convertValues(source["options"], RunOptions);
	        this.maxTokens = source["maxTokens"];
	        this.maxTurns = source["maxTurns"];
	        this.temperature = source["temperature"];
	        this.seed = source["seed"];
	        this.numCtx = source["numCtx"];
	        this.numPredict = source["numPredict"];
	        this.unmanaged = source["unmanaged"];
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
	export class AnswerRequest {
	    requestId: string;
	    requestIds?: string[];
	    allPending?: boolean;
	    choice: string;
	    scope?: string;
	    reason: string;
	
	    static createFrom(source: any = {}) {
	        return new AnswerRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.requestId = source["requestId"];
	        this.requestIds = source["requestIds"];
	        this.allPending = source["allPending"];
	        this.choice = source["choice"];
	        this.scope = source["scope"];
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
	export class BoolSetting {
	    value: boolean;
	    default: boolean;
	    source: string;
	    env?: string;
	
	    static createFrom(source: any = {}) {
	        return new BoolSetting(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.value = source["value"];
	        this.default = source["default"];
	        this.source = source["source"];
	        this.env = source["env"];
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
	export class CapabilityState {
	    policy: capability.Policy;
	    policySeq: number;
	    default: capability.Policy;
	    grants: capability.Grant[];
	    asks: kernel.Ask[];
	    kinds: string[];
	    profiles: {[key: string]: string[]};
	    runOutcomes?: {[key: string]: string};
	
	    static createFrom(source: any = {}) {
	        return new CapabilityState(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.policy = this.convertValues(source["policy"], capability.Policy);
	        this.policySeq = source["policySeq"];
	        this.default = this.convertValues(source["default"], capability.Policy);
	        this.grants = this.convertValues(source["grants"], capability.Grant);
	        this.asks = this.convertValues(source["asks"], kernel.Ask);
	        this.kinds = source["kinds"];
	        this.profiles = source["profiles"];
	        this.runOutcomes = source["runOutcomes"];
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
	export class CommitHunksRequest {
	    id: string;
	    accept: string[];
	    files: {[key: string]: string};
	
	    static createFrom(source: any = {}) {
	        return new CommitHunksRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.accept = source["accept"];
	        this.files = source["files"];
	    }
	}
	export class CompactRequest {
	    id: string;
	    agent: AgentParams;
	
	    static createFrom(source: any = {}) {
	        return new CompactRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.agent = this.convertValues(source["agent"], AgentParams);
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
	export class ContextNotice {
	    kind: string;
	    step: number;
	    seq: number;
	    text: string;
	
	    static createFrom(source: any = {}) {
	        return new ContextNotice(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.kind = source["kind"];
	        this.step = source["step"];
	        this.seq = source["seq"];
	        this.text = source["text"];
	    }
	}
	export class DefaultModelsRequest {
	    chat: string;
	    embed: string;
	
	    static createFrom(source: any = {}) {
	        return new DefaultModelsRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.chat = source["chat"];
	        this.embed = source["embed"];
	    }
	}
	export class EndpointModel {
	    name: string;
	    capabilities?: string[];
	    contextLength?: number;
	
	    static createFrom(source: any = {}) {
	        return new EndpointModel(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.capabilities = source["capabilities"];
	        this.contextLength = source["contextLength"];
	    }
	}
	export class EndpointRequest {
	    id: string;
	
	    static createFrom(source: any = {}) {
	        return new EndpointRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	    }
	}
	export class EndpointView {
	    id: string;
	    name: string;
	    kind: string;
	    url: string;
	    hasKey: boolean;
	    local: boolean;
	    reachable: boolean;
	    version?: string;
	    models: EndpointModel[];
	    error?: string;
	
	    static createFrom(source: any = {}) {
	        return new EndpointView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.kind = source["kind"];
	        this.url = source["url"];
	        this.hasKey = source["hasKey"];
	        this.local = source["local"];
	        this.reachable = source["reachable"];
	        this.version = source["version"];
	        this.models = this.convertValues(source["models"], EndpointModel);
	        this.error = source["error"];
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
	    preview?: string;
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
	        this.preview = source["preview"];
	        this.schema = source["schema"];
	        this.correlation = source["correlation"];
	        this.payload = source["payload"];
	        this.hash = source["hash"];
	        this.prevHash = source["prevHash"];
	        this.causationSeq = source["causationSeq"];
	    }
	}
	export class RunTask {
	    id: string;
	    task: string;
	    workspace: string;
	    at: number;
	
	    static createFrom(source: any = {}) {
	        return new RunTask(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.task = source["task"];
	        this.workspace = source["workspace"];
	        this.at = source["at"];
	    }
	}
	export class EventFacets {
	    types: string[];
	    origins: string[];
	    workspaces: string[];
	    runs: string[];
	    runTasks?: RunTask[];
	
	    static createFrom(source: any = {}) {
	        return new EventFacets(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.types = source["types"];
	        this.origins = source["origins"];
	        this.workspaces = source["workspaces"];
	        this.runs = source["runs"];
	        this.runTasks = this.convertValues(source["runTasks"], RunTask);
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
	export class EventFilter {
	    type: string;
	    origin: string;
	    workspace: string;
	    run: string;
	    text?: string;
	
	    static createFrom(source: any = {}) {
	        return new EventFilter(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.type = source["type"];
	        this.origin = source["origin"];
	        this.workspace = source["workspace"];
	        this.run = source["run"];
	        this.text = source["text"];
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
	    preview?: string;
	
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
	        this.preview = source["preview"];
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
	
	export class ExportRequest {
	    id: string;
	    format: string;
	
	    static createFrom(source: any = {}) {
	        return new ExportRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.format = source["format"];
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
	export class FileStat {
	    path: string;
	    op: string;
	    new: boolean;
	    added: number;
	    removed: number;
	
	    static createFrom(source: any = {}) {
	        return new FileStat(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.op = source["op"];
	        this.new = source["new"];
	        this.added = source["added"];
	        this.removed = source["removed"];
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
	export class ForkRequest {
	    id: string;
	    turn: number;
	    restoreFiles: boolean;
	
	    static createFrom(source: any = {}) {
	        return new ForkRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.turn = source["turn"];
	        this.restoreFiles = source["restoreFiles"];
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
	export class GitStatus {
	    repo: boolean;
	    branch: string;
	    head: string;
	    entries: {[key: string]: string};
	    truncated: boolean;
	    error?: string;
	
	    static createFrom(source: any = {}) {
	        return new GitStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.repo = source["repo"];
	        this.branch = source["branch"];
	        this.head = source["head"];
	        this.entries = source["entries"];
	        this.truncated = source["truncated"];
	        this.error = source["error"];
	    }
	}
	export class GitStatusRequest {
	    workspaceId: string;
	
	    static createFrom(source: any = {}) {
	        return new GitStatusRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.workspaceId = source["workspaceId"];
	    }
	}
	export class GrantRequest {
	    workspaceId: string;
	    kind: string;
	    scope: capability.Scope;
	    expiresInS: number;
	    maxUses: number;
	    reason: string;
	
	    static createFrom(source: any = {}) {
	        return new GrantRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.workspaceId = source["workspaceId"];
	        this.kind = source["kind"];
	        this.scope = this.convertValues(source["scope"], capability.Scope);
	        this.expiresInS = source["expiresInS"];
	        this.maxUses = source["maxUses"];
	        this.reason = source["reason"];
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
	export class ImportMCPRequest {
	    workspaceId: string;
	    scope: string;
	    json: string;
	
	    static createFrom(source: any = {}) {
	        return new ImportMCPRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.workspaceId = source["workspaceId"];
	        this.scope = source["scope"];
	        this.json = source["json"];
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
	export class InferenceRequestView {
	    step: number;
	    seq: number;
	    model: string;
	    digest: string;
	    endpoint: string;
	    options: {[key: string]: any};
	    tools: string[];
	    messages: api.Message[];
	    json: string;
	
	    static createFrom(source: any = {}) {
	        return new InferenceRequestView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.step = source["step"];
	        this.seq = source["seq"];
	        this.model = source["model"];
	        this.digest = source["digest"];
	        this.endpoint = source["endpoint"];
	        this.options = source["options"];
	        this.tools = source["tools"];
	        this.messages = this.convertValues(source["messages"], api.Message);
	        this.json = source["json"];
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
	export class InferenceStepRequest {
	    run: string;
	    step: number;
	
	    static createFrom(source: any = {}) {
	        return new InferenceStepRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.run = source["run"];
	        this.step = source["step"];
	    }
	}
	export class Info {
	    version: string;
	    mode: string;
	    dataDir: string;
	    logFile: string;
	    ollamaHost: string;
	    readOnly?: string;
	
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
	        this.readOnly = source["readOnly"];
	    }
	}
	export class IntSetting {
	    value: number;
	    default: number;
	    source: string;
	
	    static createFrom(source: any = {}) {
	        return new IntSetting(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.value = source["value"];
	        this.default = source["default"];
	        this.source = source["source"];
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
	export class ListThreadsRequest {
	    workspaceId: string;
	    hidden: boolean;
	
	    static createFrom(source: any = {}) {
	        return new ListThreadsRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.workspaceId = source["workspaceId"];
	        this.hidden = source["hidden"];
	    }
	}
	export class MCPPin {
	    tool: string;
	    pinned: string;
	    current: string;
	    changed: boolean;
	
	    static createFrom(source: any = {}) {
	        return new MCPPin(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.tool = source["tool"];
	        this.pinned = source["pinned"];
	        this.current = source["current"];
	        this.changed = source["changed"];
	    }
	}
	export class MCPServerRequest {
	    workspaceId: string;
	    name: string;
	    scope?: string;
	    fingerprint?: string;
	
	    static createFrom(source: any = {}) {
	        return new MCPServerRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.workspaceId = source["workspaceId"];
	        this.name = source["name"];
	        this.scope = source["scope"];
	        this.fingerprint = source["fingerprint"];
	    }
	}
	export class MCPServerView {
	    name: string;
	    state: string;
	    error?: string;
	    type: string;
	    command: string;
	    serverName?: string;
	    serverVersion?: string;
	    tools: mcp.Tool[];
	    resources: mcp.Resource[];
	    prompts: mcp.Prompt[];
	    startedAt?: number;
	    restarts: number;
	    source: string;
	    trusted: boolean;
	    fingerprint: string;
	    disabled: boolean;
	    disabledTools: string[];
	    hosts: string[];
	    writable: string[];
	    hasHeaders: boolean;
	    pins: MCPPin[];
	
	    static createFrom(source: any = {}) {
	        return new MCPServerView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.state = source["state"];
	        this.error = source["error"];
	        this.type = source["type"];
	        this.command = source["command"];
	        this.serverName = source["serverName"];
	        this.serverVersion = source["serverVersion"];
	        this.tools = this.convertValues(source["tools"], mcp.Tool);
	        this.resources = this.convertValues(source["resources"], mcp.Resource);
	        this.prompts = this.convertValues(source["prompts"], mcp.Prompt);
	        this.startedAt = source["startedAt"];
	        this.restarts = source["restarts"];
	        this.source = source["source"];
	        this.trusted = source["trusted"];
	        this.fingerprint = source["fingerprint"];
	        this.disabled = source["disabled"];
	        this.disabledTools = source["disabledTools"];
	        this.hosts = source["hosts"];
	        this.writable = source["writable"];
	        this.hasHeaders = source["hasHeaders"];
	        this.pins = this.convertValues(source["pins"], MCPPin);
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
	export class MCPState {
	    servers: MCPServerView[];
	    sandboxed: boolean;
	    problems: string[];
	
	    static createFrom(source: any = {}) {
	        return new MCPState(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.servers = this.convertValues(source["servers"], MCPServerView);
	        this.sandboxed = source["sandboxed"];
	        this.problems = source["problems"];
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
	export class MCPToolChange {
	    pinned?: mcp.Tool;
	    current: mcp.Tool;
	
	    static createFrom(source: any = {}) {
	        return new MCPToolChange(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.pinned = this.convertValues(source["pinned"], mcp.Tool);
	        this.current = this.convertValues(source["current"], mcp.Tool);
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
	export class MCPToolRequest {
	    workspaceId: string;
	    server: string;
	    tool: string;
	    hash?: string;
	
	    static createFrom(source: any = {}) {
	        return new MCPToolRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.workspaceId = source["workspaceId"];
	        this.server = source["server"];
	        this.tool = source["tool"];
	        this.hash = source["hash"];
	    }
	}
	export class MemoryListRequest {
	    filter: memory.Filter;
	    text: string;
	    mode: string;
	
	    static createFrom(source: any = {}) {
	        return new MemoryListRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.filter = this.convertValues(source["filter"], memory.Filter);
	        this.text = source["text"];
	        this.mode = source["mode"];
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
	export class MemoryRef {
	    id: string;
	    version: number;
	    reason: string;
	
	    static createFrom(source: any = {}) {
	        return new MemoryRef(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.version = source["version"];
	        this.reason = source["reason"];
	    }
	}
	export class MemorySettings {
	    embeddingModel: string;
	    indexed: number;
	    error?: string;
	
	    static createFrom(source: any = {}) {
	        return new MemorySettings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.embeddingModel = source["embeddingModel"];
	        this.indexed = source["indexed"];
	        this.error = source["error"];
	    }
	}
	export class MemorySettingsRequest {
	    embeddingModel: string;
	
	    static createFrom(source: any = {}) {
	        return new MemorySettingsRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.embeddingModel = source["embeddingModel"];
	    }
	}
	export class ModelRequest {
	    name: string;
	
	    static createFrom(source: any = {}) {
	        return new ModelRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	    }
	}
	export class PullState {
	    name: string;
	    status: string;
	    total: number;
	    completed: number;
	    bytesPerSec: number;
	    done: boolean;
	    error?: string;
	    startedAt: number;
	
	    static createFrom(source: any = {}) {
	        return new PullState(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.status = source["status"];
	        this.total = source["total"];
	        this.completed = source["completed"];
	        this.bytesPerSec = source["bytesPerSec"];
	        this.done = source["done"];
	        this.error = source["error"];
	        this.startedAt = source["startedAt"];
	    }
	}
	export class ModelsState {
	    models: ollama.Model[];
	    pulls: PullState[];
	    defaultChat: string;
	    defaultEmbed: string;
	    memory?: ollama.Memory;
	    running?: ollama.Running[];
	    runningError?: string;
	    error?: string;
	
	    static createFrom(source: any = {}) {
	        return new ModelsState(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.models = this.convertValues(source["models"], ollama.Model);
	        this.pulls = this.convertValues(source["pulls"], PullState);
	        this.defaultChat = source["defaultChat"];
	        this.defaultEmbed = source["defaultEmbed"];
	        this.memory = this.convertValues(source["memory"], ollama.Memory);
	        this.running = this.convertValues(source["running"], ollama.Running);
	        this.runningError = source["runningError"];
	        this.error = source["error"];
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
	export class NoteRequest {
	    workspaceId: string;
	    spec: memory.Spec;
	    files: string[];
	
	    static createFrom(source: any = {}) {
	        return new NoteRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.workspaceId = source["workspaceId"];
	        this.spec = this.convertValues(source["spec"], memory.Spec);
	        this.files = source["files"];
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
	export class PromoteRunRequest {
	    run: string;
	    events: string[];
	    spec: memory.Spec;
	
	    static createFrom(source: any = {}) {
	        return new PromoteRunRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.run = source["run"];
	        this.events = source["events"];
	        this.spec = this.convertValues(source["spec"], memory.Spec);
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
	export class ProposalDecision {
	    proposal: string;
	    accept: boolean;
	    edited?: memory.Spec;
	    reason: string;
	
	    static createFrom(source: any = {}) {
	        return new ProposalDecision(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.proposal = source["proposal"];
	        this.accept = source["accept"];
	        this.edited = this.convertValues(source["edited"], memory.Spec);
	        this.reason = source["reason"];
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
	export class RenameThreadRequest {
	    id: string;
	    title: string;
	
	    static createFrom(source: any = {}) {
	        return new RenameThreadRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.title = source["title"];
	    }
	}
	export class ReplicaView {
	    configured: boolean;
	    url?: string;
	    state: string;
	    seq: number;
	    headSeq: number;
	    hash?: string;
	    lastSyncAt: number;
	    lagMs: number;
	    anchoredSeq: number;
	    error?: string;
	    hasPassword: boolean;
	    hasSecret: boolean;
	    hostKey?: string;
	    endpoint?: string;
	    region?: string;
	    accessKeyId?: string;
	    keyFile?: string;
	
	    static createFrom(source: any = {}) {
	        return new ReplicaView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.configured = source["configured"];
	        this.url = source["url"];
	        this.state = source["state"];
	        this.seq = source["seq"];
	        this.headSeq = source["headSeq"];
	        this.hash = source["hash"];
	        this.lastSyncAt = source["lastSyncAt"];
	        this.lagMs = source["lagMs"];
	        this.anchoredSeq = source["anchoredSeq"];
	        this.error = source["error"];
	        this.hasPassword = source["hasPassword"];
	        this.hasSecret = source["hasSecret"];
	        this.hostKey = source["hostKey"];
	        this.endpoint = source["endpoint"];
	        this.region = source["region"];
	        this.accessKeyId = source["accessKeyId"];
	        this.keyFile = source["keyFile"];
	    }
	}
	export class RestoreRequest {
	    id: string;
	    turn: number;
	
	    static createFrom(source: any = {}) {
	        return new RestoreRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.turn = source["turn"];
	    }
	}
	export class RetryRequest {
	    id: string;
	    agent: AgentParams;
	
	    static createFrom(source: any = {}) {
	        return new RetryRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.agent = this.convertValues(source["agent"], AgentParams);
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
	export class RevealRequest {
	    workspaceId: string;
	    path: string;
	
	    static createFrom(source: any = {}) {
	        return new RevealRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.workspaceId = source["workspaceId"];
	        this.path = source["path"];
	    }
	}
	export class RevokeRequest {
	    grantId: string;
	
	    static createFrom(source: any = {}) {
	        return new RevokeRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.grantId = source["grantId"];
	    }
	}
	export class RunDetail {
	    run: kernel.RunInfo;
	    changes: FileChange[];
	    asks: kernel.Ask[];
	
	    static createFrom(source: any = {}) {
	        return new RunDetail(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.run = this.convertValues(source["run"], kernel.RunInfo);
	        this.changes = this.convertValues(source["changes"], FileChange);
	        this.asks = this.convertValues(source["asks"], kernel.Ask);
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
	
	export class SandboxState {
	    available: boolean;
	    mode: string;
	    userNs: boolean;
	    overlay: boolean;
	    fuse: boolean;
	    landlockAbi: number;
	    seccomp: boolean;
	    reason?: string;
	    hint?: string;
	    unsandboxed: string[];
	
	    static createFrom(source: any = {}) {
	        return new SandboxState(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.available = source["available"];
	        this.mode = source["mode"];
	        this.userNs = source["userNs"];
	        this.overlay = source["overlay"];
	        this.fuse = source["fuse"];
	        this.landlockAbi = source["landlockAbi"];
	        this.seccomp = source["seccomp"];
	        this.reason = source["reason"];
	        this.hint = source["hint"];
	        this.unsandboxed = source["unsandboxed"];
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
	export class SelectionRequest {
	    path: string;
	    startLine: number;
	    endLine: number;
	    text: string;
	
	    static createFrom(source: any = {}) {
	        return new SelectionRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.startLine = source["startLine"];
	        this.endLine = source["endLine"];
	        this.text = source["text"];
	    }
	}
	export class SendMessageRequest {
	    workspaceId: string;
	    threadId: string;
	    text: string;
	    mentions: string[];
	    selection?: SelectionRequest;
	    noRules: boolean;
	    agent: AgentParams;
	
	    static createFrom(source: any = {}) {
	        return new SendMessageRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.workspaceId = source["workspaceId"];
	        this.threadId = source["threadId"];
	        this.text = source["text"];
	        this.mentions = source["mentions"];
	        this.selection = this.convertValues(source["selection"], SelectionRequest);
	        this.noRules = source["noRules"];
	        this.agent = this.convertValues(source["agent"], AgentParams);
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
	export class SendResult {
	    thread: kernel.ThreadInfo;
	    turn: number;
	    run: kernel.RunInfo;
	
	    static createFrom(source: any = {}) {
	        return new SendResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.thread = this.convertValues(source["thread"], kernel.ThreadInfo);
	        this.turn = source["turn"];
	        this.run = this.convertValues(source["run"], kernel.RunInfo);
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
	export class SetMCPToolRequest {
	    workspaceId: string;
	    server: string;
	    tool: string;
	    enabled: boolean;
	
	    static createFrom(source: any = {}) {
	        return new SetMCPToolRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.workspaceId = source["workspaceId"];
	        this.server = source["server"];
	        this.tool = source["tool"];
	        this.enabled = source["enabled"];
	    }
	}
	export class SetPolicyRequest {
	    workspaceId: string;
	    policy: capability.Policy;
	
	    static createFrom(source: any = {}) {
	        return new SetPolicyRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.workspaceId = source["workspaceId"];
	        this.policy = this.convertValues(source["policy"], capability.Policy);
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
	export class SetReplicaRequest {
	    url: string;
	    keyFile?: string;
	    password?: string;
	    hostKey?: string;
	    endpoint?: string;
	    region?: string;
	    accessKeyId?: string;
	    secretAccessKey?: string;
	
	    static createFrom(source: any = {}) {
	        return new SetReplicaRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.url = source["url"];
	        this.keyFile = source["keyFile"];
	        this.password = source["password"];
	        this.hostKey = source["hostKey"];
	        this.endpoint = source["endpoint"];
	        this.region = source["region"];
	        this.accessKeyId = source["accessKeyId"];
	        this.secretAccessKey = source["secretAccessKey"];
	    }
	}
	export class StringSetting {
	    value: string;
	    default: string;
	    source: string;
	    env?: string;
	    saved?: string;
	
	    static createFrom(source: any = {}) {
	        return new StringSetting(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.value = source["value"];
	        this.default = source["default"];
	        this.source = source["source"];
	        this.env = source["env"];
	        this.saved = source["saved"];
	    }
	}
	export class Settings {
	    path: string;
	    notice?: string;
	    ollamaHost: StringSetting;
	    ollamaAutostart: BoolSetting;
	    defaultChat: StringSetting;
	    defaultEmbed: StringSetting;
	    numCtx: IntSetting;
	    validationCommand: StringSetting;
	    maxTokens: IntSetting;
	    maxTurns: IntSetting;
	    theme: StringSetting;
	    keys: {[key: string]: string};
	    keysSource: string;
	
	    static createFrom(source: any = {}) {
	        return new Settings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.notice = source["notice"];
	        this.ollamaHost = this.convertValues(source["ollamaHost"], StringSetting);
	        this.ollamaAutostart = this.convertValues(source["ollamaAutostart"], BoolSetting);
	        this.defaultChat = this.convertValues(source["defaultChat"], StringSetting);
	        this.defaultEmbed = this.convertValues(source["defaultEmbed"], StringSetting);
	        this.numCtx = this.convertValues(source["numCtx"], IntSetting);
	        this.validationCommand = this.convertValues(source["validationCommand"], StringSetting);
	        this.maxTokens = this.convertValues(source["maxTokens"], IntSetting);
	        this.maxTurns = this.convertValues(source["maxTurns"], IntSetting);
	        this.theme = this.convertValues(source["theme"], StringSetting);
	        this.keys = source["keys"];
	        this.keysSource = source["keysSource"];
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
	export class SettingsPatch {
	    set: {[key: string]: any};
	    reset: string[];
	
	    static createFrom(source: any = {}) {
	        return new SettingsPatch(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.set = source["set"];
	        this.reset = source["reset"];
	    }
	}
	export class StartAgentRunRequest {
	    workspaceId: string;
	    task: string;
	    model: string;
	    endpoint?: string;
	    options: RunOptions;
	    maxTokens: number;
	    maxTurns: number;
	    temperature?: number;
	    seed?: number;
	    numCtx: number;
	    numPredict: number;
	
	    static createFrom(source: any = {}) {
	        return new StartAgentRunRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.workspaceId = source["workspaceId"];
	        this.task = source["task"];
	        this.model = source["model"];
	        this.endpoint = source["endpoint"];
	        this.options = this.convertValues(source["options"], RunOptions);
	        this.maxTokens = source["maxTokens"];
	        this.maxTurns = source["maxTurns"];
	        this.temperature = source["temperature"];
	        this.seed = source["seed"];
	        this.numCtx = source["numCtx"];
	        this.numPredict = source["numPredict"];
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
	
	export class SupersedeRequest {
	    id: string;
	    version: number;
	    spec: memory.Spec;
	
	    static createFrom(source: any = {}) {
	        return new SupersedeRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.version = source["version"];
	        this.spec = this.convertValues(source["spec"], memory.Spec);
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
	export class ThreadRequest {
	    id: string;
	
	    static createFrom(source: any = {}) {
	        return new ThreadRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	    }
	}
	export class ThreadSummary {
	    id: string;
	    workspace: string;
	    title: string;
	    createdAt: number;
	    updatedAt: number;
	    hidden: boolean;
	    forkOf: string;
	    forkTurn: number;
	    turns: number;
	    last: string;
	    outcome: string;
	    failed: boolean;
	    model: string;
	
	    static createFrom(source: any = {}) {
	        return new ThreadSummary(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.workspace = source["workspace"];
	        this.title = source["title"];
	        this.createdAt = source["createdAt"];
	        this.updatedAt = source["updatedAt"];
	        this.hidden = source["hidden"];
	        this.forkOf = source["forkOf"];
	        this.forkTurn = source["forkTurn"];
	        this.turns = source["turns"];
	        this.last = source["last"];
	        this.outcome = source["outcome"];
	        this.failed = source["failed"];
	        this.model = source["model"];
	    }
	}
	export class TurnView {
	    turn: number;
	    run: string;
	    kind: string;
	    retries: number;
	    retried: boolean;
	    inherited: boolean;
	    reverts: string;
	    at: number;
	    info: kernel.RunInfo;
	    message: string;
	    files: kernel.FileRef[];
	    rules: kernel.FileRef[];
	    selection?: kernel.Selection;
	    carried?: kernel.Carried;
	    history: number;
	    summaries: number;
	    changes: FileStat[];
	    trimmed: number;
	    compacted: number;
	    truncated: number;
	    promptTokens: number;
	    window: number;
	    retryable: boolean;
	    failed: boolean;
	
	    static createFrom(source: any = {}) {
	        return new TurnView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.turn = source["turn"];
	        this.run = source["run"];
	        this.kind = source["kind"];
	        this.retries = source["retries"];
	        this.retried = source["retried"];
	        this.inherited = source["inherited"];
	        this.reverts = source["reverts"];
	        this.at = source["at"];
	        this.info = this.convertValues(source["info"], kernel.RunInfo);
	        this.message = source["message"];
	        this.files = this.convertValues(source["files"], kernel.FileRef);
	        this.rules = this.convertValues(source["rules"], kernel.FileRef);
	        this.selection = this.convertValues(source["selection"], kernel.Selection);
	        this.carried = this.convertValues(source["carried"], kernel.Carried);
	        this.history = source["history"];
	        this.summaries = source["summaries"];
	        this.changes = this.convertValues(source["changes"], FileStat);
	        this.trimmed = source["trimmed"];
	        this.compacted = source["compacted"];
	        this.truncated = source["truncated"];
	        this.promptTokens = source["promptTokens"];
	        this.window = source["window"];
	        this.retryable = source["retryable"];
	        this.failed = source["failed"];
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
	export class ThreadView {
	    thread: kernel.ThreadInfo;
	    turns: TurnView[];
	    busy: boolean;
	    pending: string;
	
	    static createFrom(source: any = {}) {
	        return new ThreadView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.thread = this.convertValues(source["thread"], kernel.ThreadInfo);
	        this.turns = this.convertValues(source["turns"], TurnView);
	        this.busy = source["busy"];
	        this.pending = source["pending"];
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
	export class TranscriptCall {
	    name: string;
	    arguments: string;
	    source: string;
	    result: string;
	    error: string;
	    seq: number;
	
	    static createFrom(source: any = {}) {
	        return new TranscriptCall(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.arguments = source["arguments"];
	        this.source = source["source"];
	        this.result = source["result"];
	        this.error = source["error"];
	        this.seq = source["seq"];
	    }
	}
	export class TranscriptStep {
	    step: number;
	    seq: number;
	    model: string;
	    digest: string;
	    options: {[key: string]: any};
	    chatOnly: boolean;
	    purpose: string;
	    window: number;
	    estimate: number;
	    sent: number;
	    done: boolean;
	    response?: agent.ResponsePayload;
	    thinking: string;
	    content: string;
	    toolCalls: TranscriptCall[];
	
	    static createFrom(source: any = {}) {
	        return new TranscriptStep(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.step = source["step"];
	        this.seq = source["seq"];
	        this.model = source["model"];
	        this.digest = source["digest"];
	        this.options = source["options"];
	        this.chatOnly = source["chatOnly"];
	        this.purpose = source["purpose"];
	        this.window = source["window"];
	        this.estimate = source["estimate"];
	        this.sent = source["sent"];
	        this.done = source["done"];
	        this.response = this.convertValues(source["response"], agent.ResponsePayload);
	        this.thinking = source["thinking"];
	        this.content = source["content"];
	        this.toolCalls = this.convertValues(source["toolCalls"], TranscriptCall);
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
	export class Transcript {
	    run: kernel.RunInfo;
	    steps: TranscriptStep[];
	    promptTokens: number;
	    evalTokens: number;
	    tokensPerSecond: number;
	    notices: ContextNotice[];
	
	    static createFrom(source: any = {}) {
	        return new Transcript(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.run = this.convertValues(source["run"], kernel.RunInfo);
	        this.steps = this.convertValues(source["steps"], TranscriptStep);
	        this.promptTokens = source["promptTokens"];
	        this.evalTokens = source["evalTokens"];
	        this.tokensPerSecond = source["tokensPerSecond"];
	        this.notices = this.convertValues(source["notices"], ContextNotice);
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
	
	
	
	export class Why {
	    allowed: boolean;
	    decision: string;
	    usedSeq: number;
	    grant?: capability.Grant;
	    grantSeq?: number;
	    issuedBy?: string;
	    issuedAt?: number;
	    rule?: capability.Rule;
	    ruleIndex?: number;
	    policySeq: number;
	    reason: string;
	
	    static createFrom(source: any = {}) {
	        return new Why(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.allowed = source["allowed"];
	        this.decision = source["decision"];
	        this.usedSeq = source["usedSeq"];
	        this.grant = this.convertValues(source["grant"], capability.Grant);
	        this.grantSeq = source["grantSeq"];
	        this.issuedBy = source["issuedBy"];
	        this.issuedAt = source["issuedAt"];
	        this.rule = this.convertValues(source["rule"], capability.Rule);
	        this.ruleIndex = source["ruleIndex"];
	        this.policySeq = source["policySeq"];
	        this.reason = source["reason"];
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
	export class WhyRequest {
	    seq: number;
	
	    static createFrom(source: any = {}) {
	        return new WhyRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.seq = source["seq"];
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
	    ignored?: boolean;
	
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
	        this.ignored = source["ignored"];
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

