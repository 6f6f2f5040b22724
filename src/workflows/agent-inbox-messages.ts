// The agentInbox workflow's update and query definitions (imported by the client too).
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ClaimOutcome, ClaimRequest, InboxPage, InboxView, SendRequest } from '../domain/agent-inbox.js';

/** Take a message; answers its seq. Refused (by the validator, leaving no trace) when the inbox is full. */
export const sendMessageUpdate = defineUpdate<{ seq: number }, [SendRequest]>('sendMessage');

/** Drop the messages at or before a seq: the reader has read them. */
export const ackMessagesUpdate = defineUpdate<InboxView, [number]>('ackMessages');

/** Compare-and-set of the name's holder. */
export const claimNameUpdate = defineUpdate<ClaimOutcome, [ClaimRequest]>('claimName');

export const inboxViewQuery = defineQuery<InboxView>('inboxView');
export const inboxMessagesQuery = defineQuery<InboxPage, [number, number]>('inboxMessages');
