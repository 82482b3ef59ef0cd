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

export namespace recent {
	
	export class Folder {
	    path: string;
	    name: string;
	    openedAt: number;
	    missing: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Folder(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.name = source["name"];
	        this.openedAt = source["openedAt"];
	        this.missing = source["missing"];
	    }
	}

}

export namespace studio {
	
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
	    recent: recent.Folder[];
	    workspaces: Workspace[];
	    notices: string[];
	
	    static createFrom(source: any = {}) {
	        return new StartupResponse(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.info = this.convertValues(source["info"], Info);
	        this.recent = this.convertValues(source["recent"], recent.Folder);
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

}

