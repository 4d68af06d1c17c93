/** Assets uploaded from this browser, newest first: the gallery's fallback when search is unavailable. */
export interface RecentUpload {
  assetId: string;
  fileName: string;
  size: number;
  uploadedAt: string;
}

const KEY = 'sluice.recentUploads';
const MAX = 200;

export function recentUploads(): RecentUpload[] {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) ?? '[]') as RecentUpload[];
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

export function rememberUpload(upload: RecentUpload): void {
  const list = [upload, ...recentUploads().filter((u) => u.assetId !== upload.assetId)].slice(0, MAX);
  localStorage.setItem(KEY, JSON.stringify(list));
}
